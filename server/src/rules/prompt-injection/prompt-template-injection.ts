import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintQuery } from '../../engine/taint/types';
import type { Fix, TextEdit } from '../../engine/types';
import { calleeName, fromSource, isPython, slotArguments, taintedAt, type TaintedValue } from '../llm';
import { ensureFromImport } from '../python-edits';
import { AI_CODE } from '../prefilters';

// Nothing cleans a template: escaping, JSON or a schema still let the sender write template syntax.
const QUERY: TaintQuery = { labels: ['untrusted'] };

/** How bad a template engine is in an attacker's hands. */
type Engine = 'code' | 'sandboxed' | 'prompt' | 'path' | 'format';

/** Python template constructors and compilers: name, keyword of the template, engine, kind. */
const PY_ENGINES: [RegExp, string, string, Engine][] = [
  [/^jinja2\.(environment\.)?Template$/, 'source', 'Jinja2', 'code'],
  [/^jinja2\.(environment\.)?Environment\(\)\.from_string$/, 'source', 'Jinja2', 'code'],
  [/^jinja2\.nativetypes\.NativeEnvironment\(\)\.from_string$/, 'source', 'Jinja2', 'code'],
  [/^jinja2\.sandbox\.(Immutable)?SandboxedEnvironment\(\)\.from_string$/, 'source', 'sandboxed Jinja2', 'sandboxed'],
  [/^mako\.template\.Template$/, 'text', 'Mako', 'code'],
];

/** JS template compilers and renderers whose first argument is the template. */
const JS_ENGINES: [RegExp, string][] = [
  [/^handlebars(\.default)?(\.create\(\))?\.(compile|precompile)$/, 'Handlebars'],
  [/^mustache(\.default)?\.(render|parse)$/, 'Mustache'],
  [/^ejs\.(render|compile)$/, 'EJS'],
  [/^pug\.(render|compile)$/, 'Pug'],
  [/^nunjucks(\.Environment\(\))?\.(renderString|compile)$/, 'Nunjucks'],
  [/^(lodash|underscore)\.template$|^lodash[./]template$/, 'lodash'],
];

interface State extends TaintedValue {
  engine: string;
  kind: Engine;
  /** The call that compiles or renders the template. */
  call: Node;
}

function detect(ctx: RuleContext, call: Node, template: Node | undefined, engine: string, kind: Engine): State | undefined {
  const found = template && taintedAt(ctx, template, QUERY);
  if (!found) return undefined;
  return { ...found, engine, kind, call, ...(kind === 'sandboxed' ? { severity: 'warning' as const, confidence: 'medium' as const } : {}) };
}

/** A LangChain template object (`PromptTemplate.from_template(x)`): its `.format` was judged where it was made. */
function isTemplateObject(ctx: RuleContext, receiver: Node): boolean {
  const made = ctx.python.definition(receiver);
  return made.type === 'call' && slotArguments(ctx, made).some((a) => a.kind === 'template');
}

/** `PromptTemplate(..., template_format="jinja2")` / `templateFormat: 'mustache'`. */
function templateFormat(ctx: RuleContext, call: Node): string | undefined {
  const value = isPython(ctx) ? ctx.python.argument(call, 'template_format') : ctx.javascript.property(ctx.javascript.callArguments(call)[0], 'templateFormat');
  const literal = value && (isPython(ctx) ? ctx.python.literal(value) : ctx.javascript.literal(value));
  return typeof literal?.value === 'string' ? literal.value : undefined;
}

export default defineRule<State>({
  meta: {
    id: 'prompt-template-injection',
    group: 'prompt-injection',
    title: 'Untrusted text is used as a prompt or page template',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [1336, 94],
    owasp: ['LLM01'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1336.html',
      'https://jinja.palletsprojects.com/en/stable/sandbox/',
      'https://python.langchain.com/docs/concepts/prompt_templates/',
      'https://portswigger.net/web-security/server-side-template-injection',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  // Template engines render attacker templates whether or not an LLM is near: their names, or a prompt template.
  requires: [AI_CODE, /jinja2|mako|handlebars|mustache|ejs|pug|nunjucks|lodash|underscore/i],
  check({ captures: { call } }, ctx) {
    const name = calleeName(ctx, call);
    if (isPython(ctx) && name) {
      const row = PY_ENGINES.find(([re]) => re.test(name));
      if (row) return detect(ctx, call, ctx.python.argument(call, row[1], 0), row[2], row[3]);
    }
    if (!isPython(ctx) && name) {
      const row = JS_ENGINES.find(([re]) => re.test(name));
      if (row) return detect(ctx, call, ctx.javascript.callArguments(call)[0], row[1], 'code');
    }
    for (const arg of slotArguments(ctx, call)) {
      if (arg.kind !== 'template') continue;
      if (arg.slot.name === 'path') return detect(ctx, call, arg.node, 'LangChain', 'path');
      const format = templateFormat(ctx, call);
      return detect(ctx, call, arg.node, format && format !== 'f-string' ? `LangChain ${format}` : 'LangChain prompt', format === 'jinja2' ? 'code' : 'prompt');
    }
    // `user_text.format(...)`: a format string reads attributes and items of its arguments.
    const fn = call.childForFieldName('function');
    const receiver = fn?.type === 'attribute' && /^format(_map)?$/.test(fn.childForFieldName('attribute')?.text ?? '') ? fn.childForFieldName('object') : null;
    if (!isPython(ctx) || !receiver || isTemplateObject(ctx, receiver)) return undefined;
    const args = ctx.python.callArguments(call);
    return args.positional.length + args.keywords.size > 0 ? detect(ctx, call, receiver, 'str.format', 'format') : undefined;
  },
  message(s) {
    const from = fromSource(s.path);
    switch (s.kind) {
      case 'code':
        return `Untrusted text ${from} is used as a ${s.engine} template: its author writes the whole output, and template syntax can run code on the server (server-side template injection). Keep templates in your code and pass the text in as a variable.`;
      case 'sandboxed':
        return `Untrusted text ${from} is used as a ${s.engine} template: the sandbox stops code execution, but its author still writes the whole prompt and reads every variable you pass to it. Keep templates in your code and pass the text in as a variable.`;
      case 'path':
        return `A prompt template is loaded from a path ${from}: its sender picks the file, so any template on disk (or a file they wrote) becomes your prompt. Load prompts from fixed paths.`;
      case 'format':
        return `Untrusted text ${from} is used as a format string: fields such as {0.__class__} read attributes of the arguments, and through them module globals like API keys. Keep the format string constant and pass the text as an argument.`;
      default:
        return `Untrusted text ${from} is used as a ${s.engine} template: its author writes the whole prompt, instructions included, and its {placeholders} read any variable you pass to it. Keep templates in your code and pass the text in as a template variable.`;
    }
  },
  fixes(s, ctx): Fix[] {
    if (!isPython(ctx) || s.kind !== 'code' || !/^jinja2\.(environment\.)?(Template|Environment\(\)\.from_string)$/.test(calleeName(ctx, s.call) ?? '')) return [];
    const edits = sandboxEdits(ctx, s.call);
    if (!edits) return [];
    return [{ title: 'Render with jinja2.sandbox.SandboxedEnvironment', applicability: 'unsafe', edits: [...edits, ...ensureFromImport(ctx, 'jinja2.sandbox', 'SandboxedEnvironment')] }];
  },
});

/**
 * `Template(x)` → `SandboxedEnvironment().from_string(x)`; `Environment(...).from_string(x)` and
 * `env.from_string(x)` with `env = Environment(...)` in this file: the environment becomes a
 * `SandboxedEnvironment(...)` (same options; templates it loads from files are sandboxed too).
 */
function sandboxEdits(ctx: RuleContext, call: Node): TextEdit[] | undefined {
  const fn = call.childForFieldName('function');
  if (!fn) return undefined;
  const replace = (n: Node, text: string) => [{ start: n.startIndex, end: n.endIndex, newText: text }];
  if (fn.type !== 'attribute') {
    // Template's other arguments are environment options: only the plain form is rewritten.
    const args = ctx.python.callArguments(call);
    return args.positional.length === 1 && args.keywords.size === 0 && !args.unresolvedSplat ? replace(fn, 'SandboxedEnvironment().from_string') : undefined;
  }
  const receiver = fn.childForFieldName('object');
  const environment = receiver ? ctx.python.definition(receiver) : undefined;
  const constructor = environment?.type === 'call' ? environment.childForFieldName('function') : undefined;
  if (!constructor || !/^jinja2\.(environment\.)?Environment$/.test(ctx.python.resolve(constructor) ?? '')) return undefined;
  return replace(constructor, 'SandboxedEnvironment');
}
