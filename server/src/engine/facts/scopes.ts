// Lexical scopes and name bindings, shared by the Python and JavaScript resolvers.
// A binding records what a name was bound to at one place: an import (a qualified name), an
// assignment (an expression to resolve lazily), an element of a value (unpacking, loops), a
// parameter, or something opaque (a def, a class) that shadows outer names. Value bindings take
// effect where their statement ENDS, so `x = x + 1` reads the previous `x`. Lookups are
// position-aware: in the scope where a name is used, the last binding before the use wins, so
// `x = pickle; x = json; x.loads()` is json.
import type { Node } from 'web-tree-sitter';

export type Binding =
  | { kind: 'import'; name: string; offset: number; qualified: string }
  /** `name = value`; for augmented assignments (`x += y`) `value` is the whole statement. */
  | { kind: 'value'; name: string; offset: number; value: Node }
  /**
   * An element of `value`: tuple unpacking, destructuring, a loop variable over `value`. With
   * `alias`, the name is the value itself for name resolution (`with httpx.Client() as c`:
   * `__enter__` returns the client).
   */
  | { kind: 'element'; name: string; offset: number; value: Node; key?: string; alias?: boolean }
  /** Parameter `index` of function `fn` (counting as the language does, `self` included). */
  | { kind: 'param'; name: string; offset: number; fn: Node; index: number; node: Node }
  /** Something that shadows outer names; `node` is the def or class statement when it is one. */
  | { kind: 'opaque'; name: string; offset: number; node?: Node };

export class Scope {
  readonly bindings = new Map<string, Binding[]>();
  /** Modules star-imported here (`from m import *`), last one first. */
  readonly starImports: string[] = [];

  readonly start: number;
  readonly end: number;

  constructor(
    readonly node: Node,
    readonly parent: Scope | undefined,
  ) {
    this.start = node.startIndex;
    this.end = node.endIndex;
  }

  add(binding: Binding): void {
    const list = this.bindings.get(binding.name);
    if (list) list.push(binding);
    else this.bindings.set(binding.name, [binding]);
  }

  /** Every binding of `name` in the nearest scope (this one or an outer one) that binds it. */
  bindingsOf(name: string): { scope: Scope; bindings: Binding[] } | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const list = scope.bindings.get(name);
      if (list && list.length > 0) return { scope, bindings: list };
    }
    return undefined;
  }

  /**
   * The binding of `name` visible at `offset`. In the innermost scope that binds the name, the
   * last binding before the use wins; code in a nested function may run after any module-level
   * assignment, so there the last binding before the nested scope starts wins, else the last one.
   */
  lookup(name: string, offset: number): Binding | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      const list = scope.bindings.get(name);
      if (!list || list.length === 0) continue;
      const limit = scope === this ? offset : Math.min(offset, this.node.startIndex);
      let best: Binding | undefined;
      for (const b of list) if (b.offset <= limit && (!best || b.offset >= best.offset)) best = b;
      return best ?? list[list.length - 1];
    }
    return undefined;
  }

  starImportFor(): string | undefined {
    for (let scope: Scope | undefined = this; scope; scope = scope.parent) {
      if (scope.starImports.length > 0) return scope.starImports[scope.starImports.length - 1];
    }
    return undefined;
  }
}

/**
 * All scopes of a file, found by offset: the innermost scope whose node contains a position.
 * Offsets instead of parent walks keep lookups in JavaScript (each `node.parent` is a WASM call).
 */
export class ScopeTree {
  private readonly byNodeId = new Map<number, Scope>();
  /** Scopes in the order they were registered, which is document order (a pre-order walk). */
  private readonly ordered: Scope[] = [];

  constructor(readonly root: Scope) {
    this.register(root);
  }

  /** Scopes must be registered in document order (their start offsets never decrease). */
  register(scope: Scope): void {
    this.byNodeId.set(scope.node.id, scope);
    this.ordered.push(scope);
  }

  scopeOfNode(scopeNode: Node): Scope | undefined {
    return this.byNodeId.get(scopeNode.id);
  }

  /** The innermost scope containing `node` (a scope node itself belongs to its outer scope). */
  scopeAt(node: Node): Scope {
    const own = this.byNodeId.get(node.id);
    if (own) return own.parent ?? this.root;
    return this.scopeAtOffset(node.startIndex);
  }

  /**
   * A name visible at `at` whose binding there satisfies `test`: lets fixes spell a module the
   * way the file already does (`y.safe_load` after `import yaml as y`).
   */
  visibleName(at: Node, test: (binding: Binding) => boolean): string | undefined {
    const here = this.scopeAt(at);
    for (let scope: Scope | undefined = here; scope; scope = scope.parent) {
      for (const name of scope.bindings.keys()) {
        const binding = here.lookup(name, at.startIndex);
        if (binding && test(binding)) return name;
      }
    }
    return undefined;
  }

  scopeAtOffset(offset: number): Scope {
    // The last scope starting at or before `offset`, then outwards until one contains it.
    let low = 0;
    let high = this.ordered.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.ordered[mid].start <= offset) low = mid;
      else high = mid - 1;
    }
    for (let scope: Scope | undefined = this.ordered[low]; scope; scope = scope.parent) {
      if (scope.start <= offset && offset < scope.end) return scope;
    }
    return this.root;
  }
}
