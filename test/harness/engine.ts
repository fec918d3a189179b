// One engine per test process: loading grammars and compiling queries takes ~100 ms.
// AIRLOCK_EXTRA_RULES (comma-separated rule module paths) adds rules that are not registered
// yet, so a rule can be developed and fixture-tested before it joins rules/index.ts.
import { resolve } from 'node:path';
import { Engine } from '../../server/src/engine/engine';
import type { AnyRule } from '../../server/src/engine/rule';
import { RULES } from '../../server/src/rules/index';

export const EXTRA_RULE_PATHS = (process.env.AIRLOCK_EXTRA_RULES ?? '').split(',').filter(Boolean);

/** The registered rules plus any under development. */
export const ALL_RULES: readonly AnyRule[] = [...RULES, ...EXTRA_RULE_PATHS.map((p) => (require(resolve(p)) as { default: AnyRule }).default)];

let shared: Promise<Engine> | undefined;
export function sharedEngine(): Promise<Engine> {
  return (shared ??= Engine.create({ rules: ALL_RULES }));
}
