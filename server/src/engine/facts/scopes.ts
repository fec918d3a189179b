// Lexical scopes and name bindings, shared by the Python and JavaScript resolvers.
// A binding records what a name was bound to at one place: an import (a qualified name), an
// assignment (an expression to resolve lazily), or something opaque (a parameter, a def, a loop
// variable) that shadows outer names. Lookups are position-aware: in the scope where a name is
// used, the last binding before the use wins, so `x = pickle; x = json; x.loads()` is json.
import type { Node } from 'web-tree-sitter';

export type Binding =
  | { kind: 'import'; name: string; offset: number; qualified: string }
  | { kind: 'value'; name: string; offset: number; value: Node }
  | { kind: 'opaque'; name: string; offset: number };

export class Scope {
  readonly bindings = new Map<string, Binding[]>();
  /** Modules star-imported here (`from m import *`), last one first. */
  readonly starImports: string[] = [];

  constructor(
    readonly node: Node,
    readonly parent: Scope | undefined,
  ) {}

  add(binding: Binding): void {
    const list = this.bindings.get(binding.name);
    if (list) list.push(binding);
    else this.bindings.set(binding.name, [binding]);
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

/** Maps each scope-creating node to its Scope and finds the innermost scope of any node. */
export class ScopeTree {
  private readonly byNodeId = new Map<number, Scope>();

  constructor(readonly root: Scope) {
    this.byNodeId.set(root.node.id, root);
  }

  register(scope: Scope): void {
    this.byNodeId.set(scope.node.id, scope);
  }

  scopeOfNode(scopeNode: Node): Scope | undefined {
    return this.byNodeId.get(scopeNode.id);
  }

  /** The innermost scope containing `node`. */
  scopeAt(node: Node): Scope {
    for (let n: Node | null = node.parent; n; n = n.parent) {
      const scope = this.byNodeId.get(n.id);
      if (scope) return scope;
    }
    return this.root;
  }
}
