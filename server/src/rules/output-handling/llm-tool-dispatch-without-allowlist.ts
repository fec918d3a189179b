import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import { comparisonOperator, isGuarded, methodCall, operands, unwrap, type Verdict } from '../guards';
import { calleeName, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

/** How the code is selected, for the message: `getattr(...)`, `globals()[...]`, `handlers[...]`. */
interface Selection {
  /** The expression that picks the callable (`TOOLS[name]`, `getattr(self, name)`). */
  node: Node;
  /** The model-chosen name inside it. */
  key: Node;
  how: string;
}

interface State extends TaintedValue {
  how: string;
}

const PY_NAMESPACES = /^builtins\.(globals|locals|vars)$/;

/** Python: `TOOLS[name]`, `globals()[name]`, `getattr(obj, name)` (an optional default keeps it one). */
function pySelection(ctx: RuleContext, node: Node): Selection | undefined {
  const n = unwrap(node);
  if (n.type === 'subscript') {
    const value = n.childForFieldName('value');
    const key = n.childForFieldName('subscript');
    if (!value || !key) return undefined;
    const namespace = value.type === 'call' ? calleeName(ctx, value) : undefined;
    const how = namespace && PY_NAMESPACES.test(namespace) ? `${namespace.slice('builtins.'.length)}()[…]` : `${value.text.length > 30 ? 'a mapping' : value.text}[…]`;
    return { node: n, key, how };
  }
  if (n.type === 'call' && calleeName(ctx, n) === 'builtins.getattr') {
    const [obj, key] = ctx.python.callArguments(n).positional;
    return obj && key ? { node: n, key, how: `getattr(${obj.text.length > 20 ? '…' : obj.text}, …)` } : undefined;
  }
  return undefined;
}

/** JS/TS: `handlers[name]`, `this[name]`, `globalThis[name]`. */
function jsSelection(node: Node): Selection | undefined {
  const n = unwrap(node);
  if (n.type !== 'subscript_expression') return undefined;
  const object = n.childForFieldName('object');
  const key = n.childForFieldName('index');
  if (!object || !key) return undefined;
  return { node: n, key, how: `${object.text.length > 30 ? 'an object' : unwrap(object).text}[…]` };
}

/** What a call invokes by name: the callee itself, `x[k].call(...)`, or a variable holding the selection. */
function selectionOf(ctx: RuleContext, call: Node): Selection | undefined {
  const callee = call.childForFieldName('function');
  if (!callee) return undefined;
  if (isPython(ctx)) {
    const direct = pySelection(ctx, callee);
    if (direct) return direct;
    const def = callee.type === 'identifier' ? ctx.python.definition(callee) : undefined;
    return def && def.id !== callee.id ? pySelection(ctx, def) : undefined;
  }
  const direct = jsSelection(callee);
  if (direct) return direct;
  // `handlers[name].call(thisArg, …)` / `.apply(…)`.
  const method = callee.type === 'member_expression' ? callee.childForFieldName('property')?.text : undefined;
  if ((method === 'call' || method === 'apply') && callee.childForFieldName('object')) return jsSelection(callee.childForFieldName('object')!);
  const def = callee.type === 'identifier' ? ctx.javascript.definition(callee) : undefined;
  return def && def.id !== callee.id ? jsSelection(def) : undefined;
}

function definitionOf(ctx: RuleContext, node: Node): Node {
  return isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
}

/**
 * A name built with a constant prefix (`f"tool_{name}"`, `` `handle_${name}` ``, `"do_" + name`)
 * only reaches members named by that convention: a naming allow-list, as `cmd.Cmd` does.
 */
function hasConstantPrefix(ctx: RuleContext, key: Node): boolean {
  const n = unwrap(definitionOf(ctx, key));
  if (n.type === 'string' || n.type === 'template_string') {
    const first = n.namedChildren.find((c) => c?.type !== 'string_start');
    return !!first && (first.type === 'string_content' || first.type === 'string_fragment') && /^[A-Za-z_]/.test(first.text);
  }
  if (n.type === 'binary_operator' || n.type === 'binary_expression') {
    const left = n.childForFieldName('left');
    const value = left ? (isPython(ctx) ? ctx.python.literal(left) : ctx.javascript.literal(left))?.value : undefined;
    return n.childForFieldName('operator')?.text === '+' && typeof value === 'string' && /^[A-Za-z_]/.test(value);
  }
  return false;
}

/** The spellings of the chosen name a check may use: the key and what its variable was assigned. */
function aliasesOf(ctx: RuleContext, key: Node): Set<string> {
  const flat = (n: Node) => unwrap(n).text.replace(/\s+/g, '');
  return new Set([flat(key), flat(definitionOf(ctx, key))]);
}

const NOTHING = new Set(['none', 'null', 'undefined']);

/** A membership check of the chosen name: `name in TOOLS`, `TOOLS.has(name)`, `Object.hasOwn(h, name)`, `TOOLS.get(name) is None`… */
function membershipJudge(aliases: Set<string>) {
  const isKey = (n: Node | undefined | null) => !!n && aliases.has(unwrap(n).text.replace(/\s+/g, ''));
  const isLookup = (n: Node) => {
    const m = methodCall(unwrap(n));
    return !!m && m.method === 'get' && isKey(m.args[0]);
  };
  const isString = (n: Node) => n.type === 'string' || (n.type === 'template_string' && !n.namedChildren.some((c) => c?.type === 'template_substitution'));
  return (atom: Node): Verdict => {
    const op = comparisonOperator(atom);
    const sides = op ? operands(atom) : undefined;
    if (op && sides) {
      const [left, right] = sides;
      if (op === 'in' && isKey(left)) return 'allows';
      if (op === 'not in' && isKey(left)) return 'rejects';
      const positive = op === '==' || op === '===' || op === 'is';
      const negative = op === '!=' || op === '!==' || op === 'is not';
      if (!positive && !negative) return undefined;
      // `name == "search"`: a one-name allow-list.
      if ((isKey(left) && isString(right)) || (isKey(right) && isString(left))) return positive ? 'allows' : 'rejects';
      // `TOOLS.get(name) is None`: the name is not registered.
      if ((isLookup(left) && NOTHING.has(right.type)) || (isLookup(right) && NOTHING.has(left.type))) return positive ? 'rejects' : 'allows';
      return undefined;
    }
    const call = methodCall(unwrap(atom));
    if (!call) return undefined;
    if (['has', 'includes', 'hasOwnProperty', 'get', '__contains__'].includes(call.method) && isKey(call.args[0])) return 'allows';
    // `Object.hasOwn(h, name)`, `Reflect.has(h, name)`, `Object.prototype.hasOwnProperty.call(h, name)`.
    if (/^(Object\.hasOwn|Reflect\.has|Object\.prototype\.hasOwnProperty\.call)$/.test(`${call.receiver.text}.${call.method}`) && isKey(call.args[1])) return 'allows';
    return undefined;
  };
}

/**
 * `try: handler = TOOLS[name] except KeyError: …`: a dict lookup whose miss is handled is a
 * membership check too (Python subscripts only; `getattr` reaches any attribute).
 */
function lookupMissHandled(selection: Node): boolean {
  if (selection.type !== 'subscript') return false;
  for (let n: Node | null = selection.parent; n && !/^(function_definition|lambda|module)$/.test(n.type); n = n.parent) {
    if (n.type !== 'block' || n.parent?.type !== 'try_statement' || n.parent.childForFieldName('body')?.id !== n.id) continue;
    const caught = n.parent.namedChildren.filter((c): c is Node => c?.type === 'except_clause').map((c) => c.childForFieldName('value')?.text ?? '');
    if (caught.some((text) => /\b(KeyError|LookupError)\b/.test(text))) return true;
  }
  return false;
}

export default defineRule<State>({
  meta: {
    id: 'llm-tool-dispatch-without-allowlist',
    group: 'output-handling',
    title: 'Model-chosen name selects the code to run without an allow-list check',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [470],
    owasp: ['LLM05', 'LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/470.html',
      'https://platform.openai.com/docs/guides/function-calling',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const selection = selectionOf(ctx, call);
    if (!selection) return undefined;
    const { key } = selection;
    const literal = isPython(ctx) ? ctx.python.literal(key) : ctx.javascript.literal(key);
    if (literal !== undefined || hasConstantPrefix(ctx, key)) return undefined;
    // The check may guard the call, or the line that picked the callable (`fn = TOOLS[name]`).
    // Checked before the dataflow: well-guarded dispatch is the common case, and cheaper to see.
    const judge = membershipJudge(aliasesOf(ctx, key));
    if (isGuarded(call, judge) || isGuarded(selection.node, judge) || lookupMissHandled(selection.node)) return undefined;
    const found = taintedAt(ctx, key, { labels: ['llm-output'], sanitizers: ['number'] }, call);
    return found && { ...found, how: selection.how };
  },
  message(s) {
    return `A model-chosen name (${fromSource(s.path)}) selects the code to run through \`${s.how}\` with no allow-list check first: a prompt injection can make the model name any function, method or property reachable there. Check the name against the tools you expose (\`if name not in TOOLS\`, \`TOOLS.has(name)\`) and answer unknown names with an error.`;
  },
});
