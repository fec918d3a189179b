// Robustness under hostile input, with a fixed seed so failures reproduce (fast-check prints the
// counterexample and the seed). Longer runs: `node --import tsx bench/fuzz.ts`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { defaultConfig } from '../../server/src/engine/config/config';
import type { Engine } from '../../server/src/engine/engine';
import { scanFile } from '../../server/src/engine/scan';
import { assertWellFormed, checkOne, FILE_NAMES, properties, type FuzzOptions, type FuzzStats } from '../harness/fuzz';
import { sharedEngine } from '../harness/engine';

const OPTIONS: FuzzOptions = { seed: 424_242, numRuns: 60, budgetMs: 1_000, slackMs: 1_500 };
const stats: FuzzStats = { files: 0, maxMs: 0, overBudget: 0 };
let engine: Engine;
const tmp = mkdtempSync(join(tmpdir(), 'airlock-fuzz-'));

before(async () => {
  engine = await sharedEngine();
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`# fuzz: ${stats.files} files, slowest ${stats.maxMs.toFixed(0)} ms, ${stats.overBudget} over budget\n`);
});

describe('engine under hostile input (fast-check, fixed seed)', () => {
  // The properties are built once the engine is ready; node:test runs these in order.
  for (const name of ['mutated real files', 'mutated real files under other names', 'random bytes (invalid UTF-8 included)', 'hostile text']) {
    it(`${name}: never throws, well-formed findings, within the time budget`, () => {
      fc.assert(properties(engine, OPTIONS, stats)[name], { seed: OPTIONS.seed, numRuns: OPTIONS.numRuns });
    });
  }

  it('every supported file type: one 10 MB single line, 5,000 nested brackets, NUL bytes, a line of blanks', () => {
    const known = new Set(engine.rules.map((r) => r.meta.id));
    const config = { ...defaultConfig(), timeBudgetMs: OPTIONS.budgetMs };
    const nested = '['.repeat(5_000) + '('.repeat(5_000) + '1' + ')'.repeat(5_000) + ']'.repeat(5_000);
    for (const path of FILE_NAMES) {
      checkOne(engine, path, `x = ${nested}\n\0\0 pickle.loads(b)\0\n`, config, OPTIONS, stats, known);
      // A line of 100,000 blanks: regexes with two adjacent `[ \t]*` took seconds on it (found by bench/fuzz.ts).
      checkOne(engine, path, ' \t'.repeat(50_000), config, OPTIONS, stats, known);
    }
    // One huge token is lexed in one step that cannot be interrupted: a 10 MB line may take its
    // lexing time beyond the budget, never more (and scans skip it: it is over max-file-size).
    const line = 'x = "' + 'a'.repeat(10_000_000) + '"';
    for (const path of ['big.py', 'big.js', 'big.md', 'big.json']) checkOne(engine, path, line, config, { ...OPTIONS, slackMs: 8_000 }, stats, known);
  });

  it('the well-formedness check catches what it is there to catch', () => {
    const known = new Set(['pickle-deserialization']);
    const finding = engine.analyzeText('a.py', 'import pickle\npickle.loads(b)\n', defaultConfig()).findings[0];
    assertWellFormed(finding, 30, known);
    assert.throws(() => assertWellFormed(finding, 20, known), /range .* outside 0\.\.20/);
    assert.throws(() => assertWellFormed({ ...finding, ruleId: 'made-up' }, 30, known), /unknown rule/);
    const overlapping = { title: 't', applicability: 'safe' as const, edits: [{ start: 0, end: 5, newText: '' }, { start: 3, end: 6, newText: '' }] };
    assert.throws(() => assertWellFormed({ ...finding, fixes: [overlapping] }, 30, known), /overlapping edits/);
  });

  it('a 50 MB file through the scan path is skipped with its reason, without reading it', async () => {
    const path = join(tmp, 'huge.py');
    writeFileSync(path, Buffer.alloc(50 * 1024 * 1024, 'x = 1\n'));
    const before = process.memoryUsage().rss;
    const event = await scanFile(engine, path, defaultConfig());
    const grown = process.memoryUsage().rss - before;
    assert.equal(event.kind, 'skipped');
    assert.match(event.kind === 'skipped' ? event.skipped.reason : '', /too large: 52428800 bytes \(max-file-size is 2000000\)/);
    assert.ok(grown < 16 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(1)} MB`);
  });
});
