// Writes `cases.fixed.<ext>` for a fixture by applying the rule's fixes, for a person to REVIEW
// before committing (the test then holds the rule to that text):
//   npx tsx test/harness/write-fixed.ts <rule-id> test/fixtures/<rule-id>/cases.py
// Rules under development: set AIRLOCK_EXTRA_RULES as for the tests.
import { readFileSync, writeFileSync } from 'node:fs';
import { sharedEngine } from './engine';
import { applyAllFixes, fixedFileFor } from './fixtures';

async function main() {
  const [ruleId, file] = process.argv.slice(2);
  const engine = await sharedEngine();
  const rule = engine.rules.find((r) => r.meta.id === ruleId);
  if (!rule || !file) throw new Error('usage: write-fixed.ts <rule-id> <fixture file>');
  const result = applyAllFixes(engine, rule, file, readFileSync(file, 'utf8'));
  if (!result.converged) throw new Error(`fixes did not converge after ${result.rounds} rounds`);
  writeFileSync(fixedFileFor(file), result.text);
  process.stdout.write(`wrote ${fixedFileFor(file)} (${result.rounds} rounds)\n`);
}

void main();
