// Small helpers shared by Python rules: "which qualified name does this match call or
// reference?", so each rule only states which names it cares about.
import type { Node } from 'web-tree-sitter';
import type { Detection, RuleContext, RuleMatch } from '../engine/rule';

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

/** A loader called on some data, or passed as a value (`map(pickle.load, files)`). */
export interface LoaderDetection extends Detection {
  name: string;
  reference: boolean;
  /** The call's data argument, when it is a call and the argument is present. */
  data?: Node;
  /** Where the data visibly comes from, when that is untrusted (raises the finding to an error). */
  origin?: string;
}

/**
 * The shared shape of "this function deserializes its input" rules: resolves the match,
 * finds the data argument (`dataParameter` gives its keyword and position for a loader name),
 * and raises severity and confidence when the data plainly comes from outside.
 */
export function detectLoader(
  match: RuleMatch,
  ctx: RuleContext,
  accept: (name: string) => boolean,
  dataParameter: (name: string) => [keyword: string, position: number],
): LoaderDetection | undefined {
  const target = resolveTarget(match, ctx, accept);
  if (!target) return undefined;
  if (!target.call) return { node: target.node, name: target.name, reference: true };
  const [keyword, position] = dataParameter(target.name);
  const data = ctx.python.argument(target.call, keyword, position);
  const origin = data ? ctx.python.untrustedOrigin(data) : undefined;
  return { node: target.call, name: target.name, reference: false, data, origin, severity: origin ? 'error' : undefined, confidence: origin ? 'high' : undefined };
}

/** "`pickle.load` <verb>" for a call, "`pickle.load` is passed as a loader" for a reference. */
export function loaderSubject(s: LoaderDetection, verb: string): string {
  return s.reference ? `\`${s.name}\` is passed as a loader` : `\`${s.name}\` ${verb}`;
}

/** "; the data comes from an HTTP download (`requests.get`)" or nothing. */
export function originClause(s: LoaderDetection, what = 'data'): string {
  return s.origin ? `; the ${what} comes from ${s.origin}` : '';
}
