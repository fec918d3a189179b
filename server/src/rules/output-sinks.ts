// Sinks shared by the output-handling rules: where a string becomes HTML in a page (the DOM,
// React, jQuery, Express; Flask, Django, Streamlit, Jupyter, Gradio) and which calls render
// markdown to HTML. The HTML rule and the markdown rule ask about the same places, so the
// places live here.
import type { Node } from 'web-tree-sitter';
import type { RuleContext, RuleMatch } from '../engine/rule';
import type { TaintPath } from '../engine/taint/types';
import type { Confidence } from '../engine/types';
import { calleeName, isPython } from './llm';

export interface HtmlSink {
  /** What the sink is, for messages: `innerHTML`, `markupsafe.Markup`. */
  sink: string;
  /** The expression whose text becomes HTML. */
  value: Node;
  /** What a finding underlines. */
  node: Node;
  /** Lower than the rule's when the sink is HTML only if a browser opens it directly. */
  confidence?: Confidence;
}

/** Python callables whose argument is shown as HTML, with the argument's keyword and position. */
const PY_HTML_SINKS: { callee: RegExp; keyword: string; position: number; unsafeFlag?: boolean }[] = [
  { callee: /^(markupsafe|flask|jinja2)\.Markup$/, keyword: 'base', position: 0 },
  // The source of a Jinja template: HTML and, through the template language, code.
  { callee: /^flask\.render_template_string$/, keyword: 'source', position: 0 },
  { callee: /^django\.utils\.safestring\.mark_safe$/, keyword: 's', position: 0 },
  // Streamlit renders markdown; `unsafe_allow_html=True` lets HTML through.
  { callee: /^streamlit\.(.+\.)?(markdown|write|caption)$/, keyword: 'body', position: 0, unsafeFlag: true },
  // `st.html`, `st.components.v1.html`.
  { callee: /^streamlit\.(.+\.)?html$/, keyword: 'body', position: 0 },
  { callee: /^IPython\.(core\.)?display\.HTML$/, keyword: 'data', position: 0 },
  { callee: /^gradio\.HTML$/, keyword: 'value', position: 0 },
  { callee: /^(fastapi|starlette)\.responses\.HTMLResponse$/, keyword: 'content', position: 0 },
];

/** DOM methods that parse their argument as HTML, on any receiver (the names are distinctive). */
const DOM_METHODS = new Map([['insertAdjacentHTML', 1], ['setHTMLUnsafe', 0], ['createContextualFragment', 0]]);
const DOCUMENT_WRITE = /^global\.(window\.)?document\.write(ln)?$/;
/** jQuery methods that parse a string argument as HTML, on `$(…)` / `jQuery(…)` results. */
const JQUERY_HTML = /^(global\.(window\.)?(\$|jQuery)|jquery(\.default)?)\(\)(\..+)?\.(html|append|prepend|after|before|replaceWith)$/;

/**
 * The HTML sink a query match is, if any. Matches are calls (`@call`), `innerHTML`/`outerHTML`
 * assignments and React `__html` pairs (`@sink` with `@value`).
 */
export function htmlSinkAt(match: RuleMatch, ctx: RuleContext): HtmlSink | undefined {
  const { call, sink, value, property, key } = match.captures;
  if (sink && value) {
    if (key) return { sink: 'dangerouslySetInnerHTML', value, node: sink };
    if (property) return { sink: property.text, value, node: sink };
    return undefined;
  }
  if (!call) return undefined;
  return isPython(ctx) ? pythonHtmlCall(ctx, call) : javascriptHtmlCall(ctx, call);
}

function pythonHtmlCall(ctx: RuleContext, call: Node): HtmlSink | undefined {
  const name = calleeName(ctx, call);
  if (!name) return undefined;
  const row = PY_HTML_SINKS.find((r) => r.callee.test(name));
  if (!row) return undefined;
  if (row.unsafeFlag) {
    const flag = ctx.python.argument(call, 'unsafe_allow_html');
    if (!flag || ctx.python.literal(flag)?.value !== true) return undefined;
  }
  const value = ctx.python.argument(call, row.keyword, row.position);
  return value && { sink: name, value, node: call };
}

function javascriptHtmlCall(ctx: RuleContext, call: Node): HtmlSink | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  const args = ctx.javascript.callArguments(call);
  const method = callee.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  const position = method ? DOM_METHODS.get(method) : undefined;
  if (method && position !== undefined) {
    const value = args[position];
    return value && { sink: method, value, node: call };
  }
  const name = calleeName(ctx, call);
  if (name && DOCUMENT_WRITE.test(name) && args[0]) return { sink: name.replace(/^global\.(window\.)?/, ''), value: args[0], node: call };
  if (name && JQUERY_HTML.test(name) && args.length === 1) return { sink: `jQuery .${method}()`, value: args[0], node: call };
  if (method === 'send' && args.length === 1 && isExpressResponse(ctx, callee.childForFieldName('object')) && !isJsonLike(ctx, args[0]) && !setsTextType(call)) {
    // A browser renders it only when sent there (a link, a form post), not when fetch() reads it.
    return { sink: 'res.send (an HTML response)', value: args[0], node: call, confidence: 'medium' };
  }
  return undefined;
}

/**
 * `res` of an Express-style handler `(req, res) => …`: `res.send(string)` answers with
 * Content-Type text/html unless the handler set another type.
 */
function isExpressResponse(ctx: RuleContext, receiver: Node | null): boolean {
  if (receiver?.type !== 'identifier') return false;
  const b = ctx.javascript.scopes.scopeAt(receiver).lookup(receiver.text, receiver.startIndex);
  if (b?.kind !== 'param' || b.index !== 1 || !/^(res|response)$/.test(b.name)) return false;
  const first = b.fn.childForFieldName('parameters')?.namedChildren.find((c) => c && c.type !== 'comment');
  const firstName = first?.childForFieldName('pattern')?.text ?? first?.text;
  return !!firstName && /^(req|request)$/.test(firstName);
}

/** Objects and arrays are sent as JSON; so is what `JSON.stringify` returns (by intent). */
function isJsonLike(ctx: RuleContext, value: Node): boolean {
  const def = ctx.javascript.definition(value);
  if (def.type === 'object' || def.type === 'array') return true;
  return def.type === 'call_expression' && calleeName(ctx, def) === 'global.JSON.stringify';
}

/** The handler chose a non-HTML content type (`res.type('text')`, `'Content-Type': 'text/plain'`). */
function setsTextType(call: Node): boolean {
  let fn: Node | null = call.parent;
  while (fn && !/function|arrow_function|method_definition/.test(fn.type)) fn = fn.parent;
  return !!fn && /['"](text\/plain|application\/json)|\.type\(\s*['"](text|txt|json|plain)['"]/.test(fn.text);
}

/** A call in a taint path that renders markdown to HTML. */
export interface MarkdownRender {
  call: Node;
  /** The renderer, for messages: `marked.parse`, `markdown.markdown`. */
  name: string;
  /** Raw HTML written in the markdown comes out as HTML (not escaped). */
  rawHtml: boolean;
}

/** The first markdown-to-HTML call on a taint path (source first), if any. */
export function markdownRenderIn(ctx: RuleContext, path: TaintPath): MarkdownRender | undefined {
  for (const step of path.steps) {
    if (step.node.type !== 'call' && step.node.type !== 'call_expression') continue;
    const found = isPython(ctx) ? pythonMarkdown(ctx, step.node) : javascriptMarkdown(ctx, step.node);
    if (found) return found;
  }
  return undefined;
}

function pythonMarkdown(ctx: RuleContext, call: Node): MarkdownRender | undefined {
  const name = calleeName(ctx, call);
  if (!name) return undefined;
  // Python-Markdown has no way to escape raw HTML since 3.0 (safe_mode was removed).
  if (/^markdown\.(markdown|Markdown\(\)\.convert)$/.test(name)) return { call, name, rawHtml: true };
  if (/^markdown2\.(markdown|Markdown\(\)\.convert)$/.test(name)) {
    // `safe_mode="escape"` (or "replace", True) escapes raw HTML.
    const safeMode = ctx.python.argument(call, 'safe_mode');
    const mode = safeMode ? ctx.python.literal(safeMode)?.value : null;
    return { call, name, rawHtml: mode === null || mode === false };
  }
  if (name === 'mistune.html') return { call, name, rawHtml: true };
  if (name === 'mistune.create_markdown()') {
    // `md = mistune.create_markdown(escape=False); md(text)`: escaping is on unless turned off.
    const callee = call.childForFieldName('function');
    const factory = callee ? ctx.python.definition(callee) : undefined;
    const escape = factory?.type === 'call' ? ctx.python.argument(factory, 'escape') : undefined;
    return { call, name: 'mistune', rawHtml: !!escape && ctx.python.literal(escape)?.value === false };
  }
  return undefined;
}

function javascriptMarkdown(ctx: RuleContext, call: Node): MarkdownRender | undefined {
  const name = calleeName(ctx, call);
  if (!name) return undefined;
  // marked passes raw HTML through; it has no sanitizing option any more.
  if (/^marked(\.marked)?(\.Marked\(\))?(\.(parse|parseInline))?$/.test(name)) return { call, name: name.replace(/^marked\.marked/, 'marked'), rawHtml: true };
  if (/^showdown\.Converter\(\)\.makeHtml$/.test(name)) return { call, name, rawHtml: true };
  if (/^markdown-it(\.default)?\(\)\.(render|renderInline)$/.test(name)) return { call, name: 'markdown-it', rawHtml: markdownItAllowsHtml(ctx, call) };
  return undefined;
}

/** markdown-it escapes HTML unless created with `{ html: true }` or the 'commonmark' preset. */
function markdownItAllowsHtml(ctx: RuleContext, render: Node): boolean {
  const receiver = render.childForFieldName('function')?.childForFieldName('object');
  const created = receiver ? ctx.javascript.definition(receiver) : undefined;
  if (!created || (created.type !== 'new_expression' && created.type !== 'call_expression')) return false;
  const args = ctx.javascript.callArguments(created);
  const preset = args[0] ? ctx.javascript.literal(args[0])?.value : undefined;
  const options = typeof preset === 'string' ? args[1] : args[0];
  const html = ctx.javascript.property(options, 'html');
  if (html) return ctx.javascript.literal(html)?.value === true;
  return preset === 'commonmark';
}

/** Whether an option value (a list of tag names, following variables) names `tag`. */
export function listsTag(ctx: RuleContext, value: Node, tag: string): boolean {
  const def = isPython(ctx) ? ctx.python.definition(value) : ctx.javascript.definition(value);
  return new RegExp(`['"]${tag}['"]`).test(def.text);
}
