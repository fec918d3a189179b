// Shared vocabulary of the prompt and output rules: where a call takes prompt text (from the
// SDK tables), what role a message literal has, and the detection of a tainted value at a sink
// (with its dataflow path). Works for Python and JavaScript/TypeScript alike.
import type { Node } from 'web-tree-sitter';
import { stringValue } from '../engine/facts/javascript';
import { isJavaScriptFamily } from '../engine/files';
import type { Detection, RuleContext } from '../engine/rule';
import { slotsOf, type Slot, type SlotKind } from '../engine/sdk/index';
import { flowOf } from '../engine/taint/analysis';
import type { TaintPath, TaintQuery } from '../engine/taint/types';

export function isPython(ctx: RuleContext): boolean {
  return ctx.language === 'python';
}

/** The callee node of a Python call, or of a JS call / `new` expression. */
export function calleeOf(call: Node): Node | undefined {
  return call.childForFieldName('function') ?? call.childForFieldName('constructor') ?? undefined;
}

export function resolveIn(ctx: RuleContext, node: Node): string | undefined {
  return isPython(ctx) ? ctx.python.resolve(node) : ctx.javascript.resolve(node);
}

/** The qualified name a call invokes (`openai.OpenAI().chat.completions.create`), if known. */
export function calleeName(ctx: RuleContext, call: Node): string | undefined {
  const callee = calleeOf(call);
  return callee ? resolveIn(ctx, callee) : undefined;
}

/** A call's dotted source text without whitespace, for SDK fallbacks (`self.client.chat.completions.create`). */
export function dottedCallee(call: Node): string {
  return calleeOf(call)?.text.replace(/\s+/g, '') ?? '';
}

export interface SlotArgument {
  slot: Slot;
  /** The kind, after role resolution (`ChatMessage(role=SYSTEM, …)` makes a prompt slot a system one). */
  kind: SlotKind;
  node: Node;
}

/** The arguments of a call that land in SDK prompt slots (system, prompt, messages, template). */
export function slotArguments(ctx: RuleContext, call: Node): SlotArgument[] {
  const language = isPython(ctx) ? 'python' : 'javascript';
  const slots = slotsOf(language, calleeName(ctx, call), dottedCallee(call));
  const out: SlotArgument[] = [];
  for (const slot of slots) {
    const node = slotArgument(ctx, call, slot.name, slot.position);
    if (!node) continue;
    let kind = slot.kind;
    if (slot.systemWhenRole) {
      const role = slotArgument(ctx, call, slot.systemWhenRole.name, slot.systemWhenRole.position);
      if (role && isSystemRole(ctx, role)) kind = 'system';
    }
    out.push({ slot, kind, node });
  }
  return out;
}

/** Python: keyword `name` or positional `position`. JS: property `name` of the options object at `position` (default 0), or the argument at `position`. */
function slotArgument(ctx: RuleContext, call: Node, name: string | undefined, position: number | undefined): Node | undefined {
  if (isPython(ctx)) return name !== undefined ? ctx.python.argument(call, name, position) : position !== undefined ? ctx.python.callArguments(call).positional[position] : undefined;
  const args = ctx.javascript.callArguments(call);
  if (name !== undefined) return ctx.javascript.property(args[position ?? 0], name);
  return position !== undefined ? args[position] : undefined;
}

const SYSTEM_ROLE = /^(system|developer)$/i;

/** Whether a role expression says system/developer: "system", MessageRole.SYSTEM, Role.system. */
export function isSystemRole(ctx: RuleContext, role: Node): boolean {
  const literal = isPython(ctx) ? ctx.python.literal(role) : ctx.javascript.literal(role);
  if (typeof literal?.value === 'string') return SYSTEM_ROLE.test(literal.value);
  return /(^|\.)(SYSTEM|DEVELOPER)$/i.test(role.text.trim());
}

export interface RoleMessage {
  role: 'system' | 'other';
  /** The content expression (dict/object value, or the second element of a `("system", …)` tuple). */
  content: Node;
}

/**
 * A message literal by its shape: `{"role": "system", "content": X}` (Python dict or JS object),
 * or a LangChain `("system", X)` tuple / `["system", X]` array. Undefined when not a message.
 */
export function roleMessage(ctx: RuleContext, node: Node): RoleMessage | undefined {
  if (node.type === 'dictionary' || node.type === 'object') {
    let role: Node | undefined;
    let content: Node | undefined;
    for (const pair of node.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = pair.childForFieldName('key');
      const keyName = key ? (isPython(ctx) ? ctx.python.literal(key)?.value : (stringValue(key) ?? key.text)) : undefined;
      const value = pair.childForFieldName('value') ?? undefined;
      if (keyName === 'role') role = value;
      else if (keyName === 'content') content = value;
    }
    if (!role || !content) return undefined;
    const literal = isPython(ctx) ? ctx.python.literal(role) : ctx.javascript.literal(role);
    if (typeof literal?.value !== 'string' && !/(^|\.)[A-Z_]+$/.test(role.text)) return undefined;
    return { role: isSystemRole(ctx, role) ? 'system' : 'other', content };
  }
  if (node.type === 'tuple' || node.type === 'array') {
    const items = node.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    if (items.length !== 2) return undefined;
    const first = isPython(ctx) ? ctx.python.literal(items[0]) : ctx.javascript.literal(items[0]);
    if (typeof first?.value !== 'string' || !/^(system|developer|human|user|ai|assistant|placeholder)$/.test(first.value)) return undefined;
    return { role: SYSTEM_ROLE.test(first.value) ? 'system' : 'other', content: items[1] };
  }
  return undefined;
}

/** A finding about a tainted value reaching a sink, with the dataflow path. */
export interface TaintedValue extends Detection {
  value: Node;
  path: TaintPath;
}

/** A detection when `value` is tainted for `query`; `node` (what is underlined) defaults to the value. */
export function taintedAt(ctx: RuleContext, value: Node, query: TaintQuery, node: Node = value): TaintedValue | undefined {
  const path = ctx.taint.taintOf(value, query);
  if (!path) return undefined;
  const flow = flowOf(path, ctx.path);
  const last = flow[flow.length - 1];
  if (!last || last.range.start !== value.startIndex || last.range.end !== value.endIndex) {
    flow.push({ path: ctx.path, range: { start: value.startIndex, end: value.endIndex }, message: 'reaches the sink here' });
  }
  return { node, value, path, flow };
}

/** "from an HTTP request (`flask.request.form`)" — the source, for messages. */
export function fromSource(path: TaintPath): string {
  return `from ${path.source}`;
}

/** Whether the file is JavaScript/TypeScript (rules that differ in wording or fixes per language). */
export function isJavaScript(ctx: RuleContext): boolean {
  return isJavaScriptFamily(ctx.language);
}
