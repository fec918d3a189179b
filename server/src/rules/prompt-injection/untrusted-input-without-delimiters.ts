import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintPath, TaintQuery } from '../../engine/taint/types';
import type { Fix, TextEdit } from '../../engine/types';
import { flowOf } from '../../engine/taint/analysis';
import { fromSource, isPython, roleMessage, slotArguments, type TaintedValue } from '../llm';
import { elementsOf, interpolatedString, isListLiteral } from '../prompt-edits';
import { ensureImport } from '../python-edits';
import { isWithin } from '../python-edits';
import { AI_CODE } from '../prefilters';

// `json.dumps` / `JSON.stringify` ('delimit') quote the text so it cannot pass for prompt text.
const QUERY: TaintQuery = { labels: ['untrusted'], sanitizers: ['delimit', 'number'] };

/** A value spliced into a string: `holder` is what is underlined and rewritten. */
interface Part {
  /** `{x}` / `${x}` in an f-string or template, an operand of `+`, or an argument of `%` / `.format`. */
  kind: 'interpolation' | 'operand' | 'argument';
  holder: Node;
  expression: Node;
}

/** A string built from literal text and values, in order. */
interface Built {
  node: Node;
  segments: (string | Part)[];
}

interface State extends TaintedValue {
  part: Part;
}

export default defineRule<State>({
  meta: {
    id: 'untrusted-input-without-delimiters',
    group: 'prompt-injection',
    title: 'Untrusted text is spliced into a prompt without delimiters',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [77, 1427],
    owasp: ['LLM01'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1427.html',
      'https://docs.anthropic.com/en/docs/build-with-claude/prompt-engineering/use-xml-tags',
      'https://platform.openai.com/docs/guides/prompt-engineering',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call, message } }, ctx) {
    if (message) {
      const m = roleMessage(ctx, message);
      // System messages are untrusted-input-in-system-prompt's; pairs are checked from their call.
      if (!m || m.role === 'system' || message.type === 'tuple' || message.type === 'array') return undefined;
      return undelimited(ctx, m.content);
    }
    if (!call) return undefined;
    const out: State[] = [];
    for (const arg of slotArguments(ctx, call)) {
      if (arg.kind !== 'prompt' && arg.kind !== 'messages') continue;
      const list = isPython(ctx) ? ctx.python.definition(arg.node) : ctx.javascript.definition(arg.node);
      if (!isListLiteral(list)) {
        if (arg.kind === 'prompt') out.push(...undelimited(ctx, arg.node));
        continue;
      }
      // Dict/object messages and message objects in the list are sinks of their own.
      for (const element of elementsOf(list)) {
        const m = element.type === 'tuple' || element.type === 'array' ? roleMessage(ctx, element) : undefined;
        if (m && m.role !== 'system') out.push(...undelimited(ctx, m.content));
      }
    }
    return out;
  },
  message(s) {
    return `Untrusted text ${fromSource(s.path)} is spliced into a prompt next to its instructions with nothing marking where it starts and ends, so instructions written in it ("ignore the above and…") read as yours. Wrap it in delimiters — a tag such as <${tagForSource(s.path)}>…</${tagForSource(s.path)}> around the JSON-encoded text — and tell the model that tagged text is data.`;
  },
  fixes(s, ctx): Fix[] {
    const tag = tagForSource(s.path);
    const expr = s.part.expression.text;
    const edits: TextEdit[] = [];
    const { holder } = s.part;
    if (s.part.kind === 'interpolation') {
      // `{x}` / `${x}` only: a conversion or format spec (`{x!r:>10}`) would not survive the change.
      const inner = isPython(ctx) ? holder.text.slice(1, -1) : holder.text.slice(2, -1);
      if (inner.trim() !== expr) return [];
      const encoded = isPython(ctx) ? `{json.dumps(${expr}, ensure_ascii=False)}` : `\${JSON.stringify(${expr})}`;
      edits.push({ start: holder.startIndex, end: holder.endIndex, newText: `<${tag}>${encoded}</${tag}>` });
    } else if (s.part.kind === 'operand' && isPlus(holder.parent)) {
      edits.push(...wrapOperand(ctx, holder, tag, isPython(ctx) ? `json.dumps(${expr}, ensure_ascii=False)` : `JSON.stringify(${expr})`));
    } else return [];
    if (isPython(ctx)) edits.push(...ensureImport(ctx, 'json'));
    return [{ title: `Wrap the untrusted text in <${tag}> tags, JSON-encoded`, applicability: 'unsafe', edits }];
  },
});

/**
 * Findings for the undelimited untrusted values in the string that first embeds untrusted text
 * on its way to `value` (a prompt). A string with no text of its own (`f"{a}\n{b}"`) only joins
 * values: the next string along the path decides. A string that then goes through other code
 * (`open(f"{user}.txt").read()`) was not prompt text: what it decided is dropped. Nothing is
 * found when the value reaches the prompt as it is (a user message that is the user's text), or
 * inside delimiters.
 */
function undelimited(ctx: RuleContext, value: Node): State[] {
  const path = ctx.taint.taintOf(value, QUERY);
  if (!path) return [];
  let decided: State[] | undefined;
  for (const step of path.steps) {
    const built = buildingAt(ctx, step.node);
    if (!built) {
      if (step.message.startsWith('passed through') && !keepsText(ctx, step.node)) decided = undefined;
      continue;
    }
    if (decided) continue;
    const tainted = built.segments.flatMap((s, i) => (typeof s !== 'string' && ctx.taint.taintOf(s.expression, QUERY) ? [i] : []));
    const open = tainted.filter((i) => !enclosed(built.segments, i));
    if (tainted.length === 0 || (open.length > 0 && !hasOwnText(ctx, built))) continue;
    decided = open.flatMap((i) => finding(ctx, value, built, built.segments[i] as Part));
  }
  return decided ?? [];
}

function finding(ctx: RuleContext, value: Node, built: Built, part: Part): State[] {
  const partPath = ctx.taint.taintOf(part.expression, QUERY);
  if (!partPath) return [];
  const at = (n: Node, message: string) => ({ path: ctx.path, range: { start: n.startIndex, end: n.endIndex }, message });
  const flow = [...flowOf(partPath, ctx.path), at(part.holder, 'spliced into the prompt here, without delimiters')];
  if (!built.node.equals(value) && !isWithin(value, built.node)) flow.push(at(value, 'sent to the model here'));
  return [{ node: part.holder, value: part.expression, path: partPath, flow, part }];
}

/** String methods and functions whose result is still the same prompt text (trimmed, joined, dedented…). */
const TEXT_METHODS = /^(strip|lstrip|rstrip|replace|lower|upper|capitalize|casefold|title|format|format_map|join|removeprefix|removesuffix|expandtabs|center|ljust|rjust|trim|trimStart|trimEnd|replaceAll|toLowerCase|toUpperCase|concat|toString|padStart|padEnd|normalize)$/;
const TEXT_FUNCTIONS = /^(builtins\.str|textwrap\.(dedent|indent|fill)|inspect\.cleandoc|global\.String|dedent|ts-dedent\.\w+)$/;

function keepsText(ctx: RuleContext, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (!fn) return false;
  const method = fn.type === 'attribute' ? fn.childForFieldName('attribute') : fn.type === 'member_expression' ? fn.childForFieldName('property') : null;
  if (method && TEXT_METHODS.test(method.text)) return true;
  const name = isPython(ctx) ? ctx.python.resolve(fn) : ctx.javascript.resolve(fn);
  return !!name && TEXT_FUNCTIONS.test(name);
}

/** The string-building expression a path step is part of, with its text and values in order. */
function buildingAt(ctx: RuleContext, node: Node): Built | undefined {
  // Implicit concatenation (`"a" f"{b}"`) and `+` chains are read as a whole.
  let top = node;
  if (top.parent?.type === 'concatenated_string') top = top.parent;
  while (isPlus(top.parent) && isPlus(top)) top = top.parent!;
  if (isPlus(top)) return concatenation(ctx, top);
  if (top.type === 'concatenated_string') {
    const segments = top.namedChildren.flatMap((c) => (c ? (interpolatedString(c) ? pieces(c) : [plainText(c)]) : []));
    return segments.some((s) => typeof s !== 'string') ? { node: top, segments } : undefined;
  }
  if (interpolatedString(top)) return { node: top, segments: pieces(top) };
  if (top.type === 'call' || top.type === 'call_expression') return joinCall(ctx, top) ?? formatCall(ctx, top);
  if (isPython(ctx) && top.type === 'binary_operator' && top.childForFieldName('operator')?.text === '%') return percentFormat(ctx, top);
  return undefined;
}

function isPlus(node: Node | null | undefined): boolean {
  return (node?.type === 'binary_operator' || node?.type === 'binary_expression') && node.childForFieldName('operator')?.text === '+';
}

/** Escapes decoded well enough to read a literal's words, tags and fences (`\n`, `` \` ``, `\"`). */
function unescape(raw: string): string {
  return raw.replace(/\\([\s\S])/g, (_, c: string) => (c === 'n' || c === 'r' || c === 't' ? '\n' : c));
}

/** A string literal's text without its quotes. */
function plainText(node: Node): string {
  return unescape(node.text.replace(/^[a-zA-Z]*("""|'''|["'`])/, '').replace(/("""|'''|["'`])$/, ''));
}

function pieces(node: Node): (string | Part)[] {
  const str = interpolatedString(node);
  if (!str) return [plainText(node)];
  return str.pieces.map((p) => (p.kind === 'text' ? unescape(p.node.text).replace(/\{\{/g, '{').replace(/\}\}/g, '}') : { kind: 'interpolation', holder: p.holder, expression: p.expression }));
}

function stringLiteral(ctx: RuleContext, node: Node): string | undefined {
  const v = isPython(ctx) ? ctx.python.literal(node)?.value : ctx.javascript.literal(node)?.value;
  return typeof v === 'string' ? v : undefined;
}

/** The operands of a `+` chain, left to right. */
function plusOperands(top: Node): Node[] {
  const operands: Node[] = [];
  const flatten = (n: Node) => {
    if (isPlus(n)) {
      for (const side of [n.childForFieldName('left'), n.childForFieldName('right')]) if (side) flatten(side);
    } else operands.push(n);
  };
  flatten(top);
  return operands;
}

function concatenation(ctx: RuleContext, top: Node): Built {
  const segments = plusOperands(top).flatMap((o): (string | Part)[] => {
    if (interpolatedString(o)) return pieces(o);
    const text = stringLiteral(ctx, o);
    return text !== undefined ? [text] : [{ kind: 'operand', holder: o, expression: o }];
  });
  return { node: top, segments };
}

/** `"Summarize: %s" % text`, `TEMPLATE % (a, b)`, `"%(q)s" % {"q": q}`: values placed at their conversion specs. */
function percentFormat(ctx: RuleContext, node: Node): Built | undefined {
  const left = node.childForFieldName('left');
  let right = node.childForFieldName('right');
  const format = left ? stringLiteral(ctx, left) : undefined;
  if (format === undefined || !right) return undefined;
  while (right.type === 'parenthesized_expression' && right.namedChildren[0]) right = right.namedChildren[0];
  const positional = right.type === 'tuple' ? right.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [right];
  const named = new Map<string, Node>();
  if (right.type === 'dictionary') {
    for (const pair of right.namedChildren) {
      const key = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
      const value = pair?.childForFieldName('value');
      const name = key ? stringLiteral(ctx, key) : undefined;
      if (name !== undefined && value) named.set(name, value);
    }
  }
  const segments: (string | Part)[] = [];
  let last = 0;
  let index = 0;
  for (const m of format.matchAll(/%(\(([^)]*)\))?[#0 +-]*(\*|\d+)?(\.(\*|\d+))?[hlL]?([a-zA-Z%])/g)) {
    segments.push(format.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[6] === '%') segments.push('%');
    else {
      const value = m[2] !== undefined ? named.get(m[2]) : positional[index++];
      segments.push(value ? { kind: 'argument', holder: value, expression: value } : '');
    }
  }
  segments.push(format.slice(last));
  return { node, segments };
}

/** `"\n".join(["Answer the question:", q])` / `['Answer the question:', q].join('\n')`: a literal list joined. */
function joinCall(ctx: RuleContext, call: Node): Built | undefined {
  const fn = call.childForFieldName('function');
  const method = fn?.childForFieldName(isPython(ctx) ? 'attribute' : 'property');
  const receiver = fn?.childForFieldName('object');
  if (method?.text !== 'join' || !receiver) return undefined;
  const args = isPython(ctx) ? ctx.python.callArguments(call).positional : ctx.javascript.callArguments(call);
  const [listNode, separatorNode] = isPython(ctx) ? [args[0], receiver] : [receiver, args[0]];
  const list = listNode && (isPython(ctx) ? ctx.python.definition(listNode) : ctx.javascript.definition(listNode));
  const separator = separatorNode ? stringLiteral(ctx, separatorNode) : isPython(ctx) ? undefined : ',';
  if (separator === undefined || !list || (list.type !== 'list' && list.type !== 'tuple' && list.type !== 'array')) return undefined;
  const segments = elementsOf(list).flatMap((element, i): (string | Part)[] => {
    const text = stringLiteral(ctx, element);
    return [...(i > 0 ? [separator] : []), text !== undefined ? text : { kind: 'argument', holder: element, expression: element }];
  });
  return { node: call, segments };
}

/**
 * `"Summarize: {}".format(text)`, `TEMPLATE.format(question=q)`, and a LangChain prompt template
 * with literal text: `PromptTemplate.from_template("Summarize: {text}").format(text=t)` (JS:
 * `.format({ text: t })`). Values are placed at their fields.
 */
function formatCall(ctx: RuleContext, call: Node): Built | undefined {
  const fn = call.childForFieldName('function');
  const method = fn?.childForFieldName(isPython(ctx) ? 'attribute' : 'property');
  const receiver = fn?.childForFieldName('object');
  if (method?.text !== 'format' || !receiver) return undefined;
  const format = stringLiteral(ctx, receiver) ?? templateText(ctx, receiver);
  if (format === undefined) return undefined;
  let positional: Node[] = [];
  let named: (name: string) => Node | undefined;
  if (isPython(ctx)) {
    const args = ctx.python.callArguments(call);
    positional = args.positional;
    named = (name) => args.keywords.get(name);
  } else {
    const values = ctx.javascript.callArguments(call)[0];
    named = (name) => ctx.javascript.property(values, name);
  }
  const segments: (string | Part)[] = [];
  let last = 0;
  let auto = 0;
  for (const m of format.matchAll(/\{\{|\}\}|\{([^{}]*)\}/g)) {
    segments.push(format.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] === undefined) {
      segments.push(m[0][0]);
      continue;
    }
    const field = /^[^.[!:]*/.exec(m[1])![0].trim();
    const value = field === '' ? positional[auto++] : /^\d+$/.test(field) ? positional[Number(field)] : named(field);
    segments.push(value ? { kind: 'argument', holder: value, expression: value } : '');
  }
  segments.push(format.slice(last));
  return { node: call, segments };
}

/** The literal text of a LangChain prompt template object (f-string format only), from the SDK tables' template slot. */
function templateText(ctx: RuleContext, receiver: Node): string | undefined {
  const made = isPython(ctx) ? ctx.python.definition(receiver) : ctx.javascript.definition(receiver);
  if (made.type !== 'call' && made.type !== 'call_expression' && made.type !== 'new_expression') return undefined;
  const template = slotArguments(ctx, made).find((a) => a.kind === 'template' && a.slot.name !== 'path');
  const format = isPython(ctx) ? ctx.python.argument(made, 'template_format') : ctx.javascript.property(ctx.javascript.callArguments(made)[0], 'templateFormat');
  if (!template || (format && stringLiteral(ctx, format) !== 'f-string')) return undefined;
  return stringLiteral(ctx, template.node);
}

const TAG = /<(\/?)([A-Za-z][\w.:-]*)(?:\s[^<>]*)?>/g;

/** Whether value `index` sits inside an XML-style tag pair, a ``` fence or """ quotes of the same string. */
function enclosed(segments: (string | Part)[], index: number): boolean {
  const join = (list: (string | Part)[]) => list.map((s) => (typeof s === 'string' ? s : '\u0000')).join('');
  const before = join(segments.slice(0, index));
  const after = join(segments.slice(index + 1));
  const open: string[] = [];
  for (const m of before.matchAll(TAG)) {
    if (m[0].endsWith('/>')) continue;
    if (m[1] !== '/') open.push(m[2]);
    else if (open.includes(m[2])) open.splice(open.lastIndexOf(m[2]));
  }
  if (open.some((name) => after.includes(`</${name}>`))) return true;
  return ['```', '"""', "'''"].some((fence) => before.split(fence).length % 2 === 0 && after.includes(fence));
}

/** Whether the string says something of its own besides the values: literal words, or a constant string spliced in. */
function hasOwnText(ctx: RuleContext, built: Built): boolean {
  return built.segments.some((s) => {
    const text = typeof s === 'string' ? s : ctx.taint.taintOf(s.expression, QUERY) ? undefined : stringLiteral(ctx, s.expression);
    return text !== undefined && /[A-Za-z]{2,}/.test(text.replace(TAG, ' ').replace(/```\w*/g, ' '));
  });
}

/** A tag that says what the text is: a document, a web page, or what a user typed. */
function tagForSource(path: TaintPath): string {
  if (/retrieved documents/.test(path.source)) return 'document';
  if (/web (request|page)|page URL/.test(path.source)) return 'web_content';
  return 'user_input';
}

/** A string literal without interpolations: its opening and closing quote tokens. */
function plainQuotes(node: Node | undefined): { open: Node; close: Node } | undefined {
  if (node?.type !== 'string' || interpolatedString(node)) return undefined;
  const open = node.firstChild;
  const close = node.lastChild;
  if (!open || !close || open.equals(close) || /b/i.test(open.text.replace(/["']+$/, ''))) return undefined;
  return { open, close };
}

/**
 * `"About " + x + "."` → `"About <tag>" + encoded + "</tag>."`: the tags go into the neighbouring
 * string literals when there are some, else into new literals beside the value.
 */
function wrapOperand(ctx: RuleContext, holder: Node, tag: string, encoded: string): TextEdit[] {
  let top = holder;
  while (isPlus(top.parent)) top = top.parent!;
  const operands = plusOperands(top);
  const i = operands.findIndex((o) => o.equals(holder));
  const before = plainQuotes(operands[i - 1]);
  const after = plainQuotes(operands[i + 1]);
  const sample = before?.close.text ?? after?.open.text ?? top.descendantsOfType('string').find((n) => !!n)?.text;
  const q = isPython(ctx) ? '"' : sample?.includes('"') ? '"' : "'";
  const edits: TextEdit[] = [];
  if (before) edits.push({ start: before.close.startIndex, end: before.close.startIndex, newText: `<${tag}>` });
  edits.push({ start: holder.startIndex, end: holder.endIndex, newText: `${before ? '' : `${q}<${tag}>${q} + `}${encoded}${after ? '' : ` + ${q}</${tag}>${q}`}` });
  if (after) edits.push({ start: after.open.endIndex, end: after.open.endIndex, newText: `</${tag}>` });
  return edits;
}
