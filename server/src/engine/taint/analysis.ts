// Demand-driven taint analysis over tree-sitter trees. A rule asks "is this expression tainted
// (with one of these labels), and how?"; the analysis walks backwards from the expression:
// through operators, string building, containers, attribute and subscript reads, `await`;
// through variables to the assignments that reach the use (a later unconditional assignment of
// a constant kills earlier taint); through parameters to the call sites in the same file; and
// through calls of same-file functions into their return values. Sources, sanitizers and
// language syntax come from a per-language adapter; what counts as a source is data (sdk/).
// Everything is bounded: depth, visited nodes and call nesting, so hostile input cannot hang it.
import type { Node, Query } from 'web-tree-sitter';
import type { Binding, ScopeTree } from '../facts/scopes';
import type { RelatedLocation } from '../types';
import type { SourceMatch, TaintPath, TaintQuery, TaintStep } from './types';

/** How an expression passes taint on. */
export type ExpressionShape =
  /** A variable read: follow its reaching bindings. */
  | { kind: 'name' }
  /** Tainted if any part is (operators, f-strings, containers, attribute/subscript reads…). */
  | { kind: 'parts'; parts: Node[]; step?: string }
  /** A call: same-file functions are followed into; others propagate from receiver and arguments. */
  | { kind: 'call'; callee: Node; receiver?: Node; args: Node[] }
  /** `x += y`: the previous value of x and y. */
  | { kind: 'augmented'; target: Node; value: Node }
  /** Constants, functions, anything that cannot carry data from elsewhere. */
  | { kind: 'clean' };

export interface TaintAdapter {
  readonly scopes: ScopeTree;
  resolve(node: Node): string | undefined;
  shape(node: Node): ExpressionShape;
  /** A source at this expression: a request object, `input()`, an LLM call, a fetch result… */
  sourceAt(node: Node): SourceMatch | undefined;
  /** A parameter that is a source by where its function is used (route and tool handlers). */
  parameterSource(binding: Extract<Binding, { kind: 'param' }>): SourceMatch | undefined;
  /** For a callback's parameter, the collection it receives elements of (`items.map(x => …)`, `map(lambda x: …, items)`). */
  iteratedBy(binding: Extract<Binding, { kind: 'param' }>): Node | undefined;
  /** Whether a call (by the name it resolves to) cleans values for this query. */
  isSanitizer(call: Node, callee: string | undefined, query: TaintQuery): boolean;
  /** Calls that can never carry taint in their result (`len`, `isinstance`, `Number.isNaN`). */
  isOpaqueCall(callee: string | undefined): boolean;
  /** The same-file function a call invokes, when it can be told. */
  calledFunction(call: Node): Node | undefined;
  /** The argument a call passes for parameter `index` (named `name`) of `fn`. */
  argumentFor(call: Node, fn: Node, index: number, name: string): Node | undefined;
  /** Calls in this file that invoke `fn`. */
  callSites(fn: Node): Node[];
  returnValues(fn: Node): Node[];
  /** The statement block that holds a binding's statement, to decide if it always runs before a use. */
  enclosingBlock(node: Node): Node | undefined;
  /** A short label for a function in messages: `build_prompt()`. */
  functionName(fn: Node): string;
  lineOf(node: Node): number;
}

const MAX_DEPTH = 60;
const MAX_VISITS = 20_000;
const MAX_CALL_NESTING = 3;

interface Frame {
  /** Parameter values of the function being summarized: fn node id → its call and the caller's frame. */
  calls: Map<number, { call: Node; frame: Frame }>;
  nesting: number;
}

const TOP: Frame = { calls: new Map(), nesting: 0 };

function describe(node: Node): string {
  const text = node.text.replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

export class TaintAnalysis {
  private readonly memo = new Map<string, TaintPath | null>();
  private visits = 0;

  constructor(private readonly lang: TaintAdapter) {}

  /** The taint of `node` for `query`, with the path from its source; undefined when clean. */
  taintOf(node: Node, query: TaintQuery): TaintPath | undefined {
    this.visits = 0;
    return this.visit(node, query, TOP, 0, new Set()) ?? undefined;
  }

  private visit(node: Node, query: TaintQuery, frame: Frame, depth: number, active: Set<number>): TaintPath | null {
    if (depth > MAX_DEPTH || ++this.visits > MAX_VISITS || active.has(node.id)) return null;
    const key = frame === TOP ? `${node.id}|${query.labels.join()}|${query.sanitizers?.join() ?? ''}|${query.skipToolArguments ? 1 : 0}` : undefined;
    if (key !== undefined && this.memo.has(key)) return this.memo.get(key)!;
    active.add(node.id);
    let result: TaintPath | null = null;
    try {
      result = this.compute(node, query, frame, depth, active);
    } finally {
      active.delete(node.id);
    }
    if (key !== undefined) this.memo.set(key, result);
    return result;
  }

  private compute(node: Node, query: TaintQuery, frame: Frame, depth: number, active: Set<number>): TaintPath | null {
    const source = this.lang.sourceAt(node);
    if (source) return query.labels.includes(source.label) ? { label: source.label, source: source.description, steps: [{ node, message: `source: ${source.description}` }] } : null;

    const shape = this.lang.shape(node);
    switch (shape.kind) {
      case 'clean':
        return null;
      case 'parts':
        for (const part of shape.parts) {
          const found = this.visit(part, query, frame, depth + 1, active);
          if (found) return shape.step ? this.extend(found, node, shape.step) : found;
        }
        return null;
      case 'augmented': {
        const previous = this.name(shape.target, query, frame, depth, active, node.startIndex);
        if (previous) return this.extend(previous, node, `extended in \`${describe(node)}\``);
        const added = this.visit(shape.value, query, frame, depth + 1, active);
        return added ? this.extend(added, node, `added to \`${shape.target.text}\``) : null;
      }
      case 'name':
        return this.name(node, query, frame, depth, active, node.startIndex);
      case 'call':
        return this.call(node, shape, query, frame, depth, active);
    }
  }

  private extend(path: TaintPath, node: Node, message: string): TaintPath {
    const last = path.steps[path.steps.length - 1];
    if (last && last.node.id === node.id) return path;
    return { ...path, steps: [...path.steps, { node, message }] };
  }

  private call(node: Node, shape: Extract<ExpressionShape, { kind: 'call' }>, query: TaintQuery, frame: Frame, depth: number, active: Set<number>): TaintPath | null {
    const callee = this.lang.resolve(shape.callee);
    if (this.lang.isSanitizer(node, callee, query) || this.lang.isOpaqueCall(callee)) return null;
    const fn = this.lang.calledFunction(node);
    if (fn) {
      // A same-file function: its result is tainted when a return value is, with its
      // parameters bound to this call's arguments.
      if (frame.nesting >= MAX_CALL_NESTING) return null;
      const inner: Frame = { calls: new Map(frame.calls).set(fn.id, { call: node, frame }), nesting: frame.nesting + 1 };
      for (const value of this.lang.returnValues(fn)) {
        const found = this.visit(value, query, inner, depth + 1, active);
        if (found) return this.extend(found, node, `returned by \`${this.lang.functionName(fn)}\``);
      }
      return null;
    }
    // Unknown code: assume data flows from the receiver and the arguments into the result.
    for (const part of shape.receiver ? [shape.receiver, ...shape.args] : shape.args) {
      const found = this.visit(part, query, frame, depth + 1, active);
      if (found) return this.extend(found, node, `passed through \`${describe(shape.callee)}\``);
    }
    return null;
  }

  /** Taint of a variable read at `offset`, through the bindings that reach it. */
  private name(node: Node, query: TaintQuery, frame: Frame, depth: number, active: Set<number>, offset: number): TaintPath | null {
    for (const binding of this.reaching(node, offset)) {
      const found = this.binding(binding, query, frame, depth, active);
      if (found) return found;
    }
    return null;
  }

  /**
   * Bindings of a name that may reach a use: in the binding scope, the latest one before the use,
   * plus earlier ones while the later ones are conditional (inside a branch that does not also
   * hold the use). A binding whose block encloses the use always runs first and hides the rest.
   */
  private reaching(use: Node, offset: number): Binding[] {
    const scope = this.lang.scopes.scopeAt(use);
    const found = scope.bindingsOf(use.text);
    if (!found) return [];
    const limit = found.scope === scope ? offset : Math.min(offset, scope.start);
    const before = found.bindings.filter((b) => b.offset <= limit).sort((a, b) => b.offset - a.offset);
    const candidates = before.length > 0 ? before : found.scope === scope ? [] : [...found.bindings].reverse();
    const out: Binding[] = [];
    for (const b of candidates) {
      out.push(b);
      const anchor = b.kind === 'value' || b.kind === 'element' ? b.value : undefined;
      const block = anchor ? this.lang.enclosingBlock(anchor) : undefined;
      if (!block || (block.startIndex <= use.startIndex && use.endIndex <= block.endIndex)) break;
    }
    return out;
  }

  private binding(b: Binding, query: TaintQuery, frame: Frame, depth: number, active: Set<number>): TaintPath | null {
    switch (b.kind) {
      case 'value': {
        // The step sits on the assignment statement (its value is usually the previous step).
        const found = this.visit(b.value, query, frame, depth + 1, active);
        return found ? this.extend(found, b.value.parent ?? b.value, `assigned to \`${b.name}\``) : null;
      }
      case 'element': {
        const found = this.visit(b.value, query, frame, depth + 1, active);
        return found ? this.extend(found, b.value.parent ?? b.value, `\`${b.name}\` taken from \`${describe(b.value)}\``) : null;
      }
      case 'param':
        return this.parameter(b, query, frame, depth, active);
      default:
        return null;
    }
  }

  private parameter(b: Extract<Binding, { kind: 'param' }>, query: TaintQuery, frame: Frame, depth: number, active: Set<number>): TaintPath | null {
    const source = this.lang.parameterSource(b);
    if (source) {
      if (!query.labels.includes(source.label) || (source.toolArgument && query.skipToolArguments)) return null;
      return { label: source.label, source: source.description, steps: [{ node: b.node, message: `source: ${source.description}` }] };
    }
    const collection = this.lang.iteratedBy(b);
    if (collection) {
      const found = this.visit(collection, query, frame, depth + 1, active);
      return found ? this.extend(found, b.node, `\`${b.name}\` is an element of \`${describe(collection)}\``) : null;
    }
    const bound = frame.calls.get(b.fn.id);
    if (bound) {
      // Summarizing a call: the parameter is exactly that call's argument.
      const arg = this.lang.argumentFor(bound.call, b.fn, b.index, b.name);
      const found = arg ? this.visit(arg, query, bound.frame, depth + 1, active) : null;
      return found ? this.extend(found, bound.call, `passed to \`${this.lang.functionName(b.fn)}\` as \`${b.name}\``) : null;
    }
    // Otherwise any call site in the file may pass taint in.
    if (frame.nesting >= MAX_CALL_NESTING) return null;
    for (const call of this.lang.callSites(b.fn)) {
      const arg = this.lang.argumentFor(call, b.fn, b.index, b.name);
      if (!arg) continue;
      const found = this.visit(arg, query, { calls: frame.calls, nesting: frame.nesting + 1 }, depth + 1, active);
      if (found) return this.extend(found, call, `passed to \`${this.lang.functionName(b.fn)}\` as \`${b.name}\``);
    }
    return null;
  }
}

/** A path as a finding's flow: source first, one location per step, each with its message. */
export function flowOf(path: TaintPath, file: string): RelatedLocation[] {
  const seen = new Set<number>();
  return path.steps
    .filter((s) => !seen.has(s.node.id) && (seen.add(s.node.id), true))
    .map((s: TaintStep) => ({ path: file, range: { start: s.node.startIndex, end: s.node.endIndex }, message: s.message }));
}

/**
 * Calls of a file grouped by the same-file function they invoke (both adapters' `callSites`).
 * The query is the caller's and is deleted here.
 */
export function indexCallSites(query: Query, root: Node, calledFunction: (call: Node) => Node | undefined): Map<number, Node[]> {
  const byFunction = new Map<number, Node[]>();
  try {
    for (const { node } of query.captures(root)) {
      const target = calledFunction(node);
      if (!target) continue;
      const list = byFunction.get(target.id);
      if (list) list.push(node);
      else byFunction.set(target.id, [node]);
    }
  } finally {
    query.delete();
  }
  return byFunction;
}
