// The fuzz properties of test/unit/fuzz.test.ts, run longer: `node --import tsx bench/fuzz.ts
// [--runs N] [--seed S] [--budget-ms MS]`. Prints how many files were analyzed, the slowest one
// and how many ran out of budget; exits 1 with fast-check's counterexample on a failure.
import { Engine } from '../server/src/engine/engine';
import { runFuzz, type FuzzOptions } from '../test/harness/fuzz';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
}

async function main(): Promise<void> {
  const options: FuzzOptions = { seed: flag('seed', Date.now() % 2 ** 31), numRuns: flag('runs', 2_000), budgetMs: flag('budget-ms', 1_000), slackMs: 1_500 };
  const engine = await Engine.create();
  const started = performance.now();
  process.stdout.write(`fuzz: seed ${options.seed}, ${options.numRuns} runs per property, budget ${options.budgetMs} ms\n`);
  const stats = runFuzz(engine, options);
  process.stdout.write(`fuzz: ${stats.files} files in ${((performance.now() - started) / 1000).toFixed(1)} s, slowest ${stats.maxMs.toFixed(0)} ms, ${stats.overBudget} over budget\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error)?.message ?? String(err)}\n`);
  process.exit(1);
});
