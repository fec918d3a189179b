// Small helpers shared by Python rules: "which qualified name does this match call or
// reference?", so each rule only states which names it cares about.
import type { Node } from 'web-tree-sitter';
import type { RuleContext, RuleMatch } from '../engine/rule';

export interface ResolvedTarget {
  /** The call node, or the reference node for `map(pickle.load, files)`. */
  node: Node;
  /** The call, when the match is a call. */
  call?: Node;
  /** The qualified name called or referenced, e.g. `pickle.load`. */
  name: string;
}

/**
 * Resolves a match of the common `(call function: (_) @callee) @call` / `@reference` patterns
 * to its qualified name, when `accept(name)` says the rule cares about it.
 */
export function resolveTarget(match: RuleMatch, ctx: RuleContext, accept: (name: string) => boolean): ResolvedTarget | undefined {
  const { call, callee, reference } = match.captures;
  if (call && callee) {
    const name = ctx.python.resolve(callee);
    return name && accept(name) ? { node: call, call, name } : undefined;
  }
  if (reference) {
    const name = ctx.python.resolve(reference);
    return name && accept(name) ? { node: reference, name } : undefined;
  }
  return undefined;
}

/** Builds a name test from exact qualified names. */
export function oneOf(...names: string[]): (name: string) => boolean {
  const set = new Set(names);
  return (name) => set.has(name);
}
