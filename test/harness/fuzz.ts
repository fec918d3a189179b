// Property-based robustness checks for the engine, shared by test/unit/fuzz.test.ts (few runs,
// fixed seed) and bench/fuzz.ts (many runs). Inputs: real files (fixtures and examples) mutated
// at the byte level, random bytes, and hostile shapes (NUL bytes, unterminated strings, deep
// nesting, invalid UTF-16), under the name of every file type Airlock reads. Properties:
// analysis never throws, no rule crashes, findings are well-formed (ranges, edits and related
// locations inside the document), and the time per file stays within the budget.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { defaultConfig, type AirlockConfig } from '../../server/src/engine/config/config';
import type { Engine } from '../../server/src/engine/engine';
import { classifyFile } from '../../server/src/engine/files';
import { decodeText } from '../../server/src/engine/scan';
import type { Finding, TextRange } from '../../server/src/engine/types';

const ROOT = join(__dirname, '..', '..');

/** One name per file type and kind Airlock reads (engine/files.ts). */
export const FILE_NAMES = [
  'app.py', 'stubs.pyi', 'server.js', 'module.mjs', 'legacy.cjs', 'view.jsx', 'agent.ts', 'mod.mts', 'page.tsx', 'types.d.ts',
  'data.json', 'settings.jsonc', 'notebook.ipynb', 'config.yaml', 'ci.yml', 'pyproject.toml', '.codex/config.toml',
  'README.md', 'AGENTS.md', '.cursor/rules/style.mdc', 'chat.prompty', 'system.prompt', 'prompts/answer.jinja2', 'page.hbs',
  '.cursorrules', '.env', '.env.local', '.mcp.json', '.cursor/mcp.json', '.claude/settings.json', '.vscode/settings.json',
];

/** Real files to mutate: the rule fixtures and the example app (text files Airlock reads). */
export function seedCorpus(): { path: string; bytes: Uint8Array }[] {
  const out: { path: string; bytes: Uint8Array }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (classifyFile(full)) out.push({ path: relative(ROOT, full), bytes: readFileSync(full) });
    }
  };
  walk(join(ROOT, 'test', 'fixtures'));
  walk(join(ROOT, 'examples'));
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/** Byte-level mutations: flips, truncations, splices of another file, deletions, duplications. */
type Mutation =
  | { kind: 'flip'; at: number; byte: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; from: number; start: number; length: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), start: fc.nat(), length: fc.nat({ max: 2_000 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.nat({ max: 200 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.nat({ max: 500 }) }),
);

function mutate(bytes: Uint8Array, m: Mutation, corpus: { bytes: Uint8Array }[]): Uint8Array {
  const buf = Buffer.from(bytes);
  const at = buf.length === 0 ? 0 : m.at % (buf.length + 1);
  switch (m.kind) {
    case 'flip':
      if (buf.length > 0) buf[at % buf.length] = m.byte;
      return buf;
    case 'truncate':
      return buf.subarray(0, at);
    case 'splice': {
      const other = corpus[m.from % corpus.length].bytes;
      const start = other.length === 0 ? 0 : m.start % other.length;
      return Buffer.concat([buf.subarray(0, at), other.subarray(start, start + m.length), buf.subarray(at)]);
    }
    case 'delete':
      return Buffer.concat([buf.subarray(0, at), buf.subarray(at + m.length)]);
    case 'duplicate':
      return Buffer.concat([buf.subarray(0, at + m.length), buf.subarray(at)]);
  }
}

/** Text shapes that break parsers: nesting, unterminated literals, NULs, lone surrogates, long lines. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.constantFrom('(', '[', '{', '((', '[{('), fc.integer({ min: 100, max: 5_000 }), fc.boolean()).map(([open, depth, closed]) => {
    const close = [...open].reverse().map((c) => ({ '(': ')', '[': ']', '{': '}' })[c]).join('');
    return `x = ${open.repeat(depth)}pickle.loads(b)${closed ? close.repeat(depth) : ''}\n`;
  }),
  fc.tuple(fc.constantFrom('"', "'", '"""', '`', '${', '/*', '<!--', '{{', '{%'), fc.string({ maxLength: 200, size: 'max' })).map(([quote, body]) => `import pickle\nx = ${quote}${body}\npickle.loads(b)\n`),
  fc.string({ unit: fc.constantFrom('\0', 'a', '\n', '"', '(', '\uD800', '\uDFFF', '\u202E', '\uFEFF', '\u{E0041}', 'é'), maxLength: 2_000, size: 'max' }),
  fc.string({ unit: 'binary', maxLength: 2_000, size: 'max' }),
  fc.tuple(fc.constantFrom('a', '"', '(', ' ', 'x=1;'), fc.integer({ min: 10_000, max: 200_000 })).map(([unit, n]) => unit.repeat(n)),
);

/** Whether a finding is well-formed for a document of `length` UTF-16 code units. */
export function assertWellFormed(finding: Finding, length: number, known: ReadonlySet<string>): void {
  const inside = (r: TextRange, what: string) => assert.ok(Number.isInteger(r.start) && Number.isInteger(r.end) && 0 <= r.start && r.start <= r.end && r.end <= length, `${finding.ruleId}: ${what} ${r.start}..${r.end} outside 0..${length}`);
  assert.ok(known.has(finding.ruleId), `unknown rule ${finding.ruleId}`);
  assert.ok(['error', 'warning', 'info'].includes(finding.severity));
  assert.ok(typeof finding.message === 'string' && finding.message.length > 0, `${finding.ruleId}: empty message`);
  inside(finding.range, 'range');
  for (const fix of finding.fixes) {
    const edits = [...fix.edits].sort((a, b) => a.start - b.start);
    edits.forEach((e, i) => {
      inside(e, `fix "${fix.title}" edit`);
      if (i > 0) assert.ok(edits[i - 1].end <= e.start, `${finding.ruleId}: fix "${fix.title}" has overlapping edits`);
    });
  }
  for (const r of [...finding.related, ...finding.flow]) if (r.path === finding.path) inside(r.range, 'related location');
}

export interface FuzzStats {
  files: number;
  maxMs: number;
  overBudget: number;
}

export interface FuzzOptions {
  seed: number;
  /** Runs per property. */
  numRuns: number;
  /** The time budget the engine gets per file. */
  budgetMs: number;
  /** Time a file may take beyond its budget: what cannot be interrupted (one rule's match, one huge token). */
  slackMs: number;
}

/** Analyzes one input as a scan would (bytes decoded like scan.ts) and checks every property. */
export function checkOne(engine: Engine, path: string, text: string, config: AirlockConfig, options: FuzzOptions, stats: FuzzStats, known: ReadonlySet<string>): void {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { findings, failures } = engine.analyzeText(path, text, config);
  const wallMs = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  // The lesser of wall and CPU time: a machine busy with other work stalls the clock, not the engine.
  const ms = Math.min(wallMs, (user + system) / 1000);
  stats.files++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  if (findings.some((f) => f.ruleId === 'analysis-time-budget')) stats.overBudget++;
  assert.deepEqual(failures.map((f) => `${f.ruleId}: ${f.error.split('\n')[0]}`), [], `rules crashed on ${path}`);
  for (const f of findings) assertWellFormed(f, text.length, known);
  assert.ok(ms <= options.budgetMs + options.slackMs, `${path}: ${ms.toFixed(0)} ms with a ${options.budgetMs} ms budget`);
}

/** The properties, each a fast-check property over one kind of input. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- properties over different input tuples in one map
export function properties(engine: Engine, options: FuzzOptions, stats: FuzzStats): Record<string, fc.IProperty<any>> {
  const corpus = seedCorpus();
  const config = { ...defaultConfig(), timeBudgetMs: options.budgetMs };
  const known = new Set(engine.rules.map((r) => r.meta.id));
  const name = fc.constantFrom(...FILE_NAMES);
  return {
    'mutated real files': fc.property(fc.nat(corpus.length - 1), fc.array(mutation, { minLength: 1, maxLength: 8, size: 'max' }), (index, mutations) => {
      const seed = corpus[index];
      const bytes = mutations.reduce((b, m) => mutate(b, m, corpus), seed.bytes);
      checkOne(engine, seed.path, decodeText(bytes).text, config, options, stats, known);
    }),
    'mutated real files under other names': fc.property(fc.nat(corpus.length - 1), name, fc.array(mutation, { maxLength: 4 }), (index, path, mutations) => {
      const bytes = mutations.reduce((b, m) => mutate(b, m, corpus), corpus[index].bytes);
      checkOne(engine, path, decodeText(bytes).text, config, options, stats, known);
    }),
    'random bytes (invalid UTF-8 included)': fc.property(name, fc.uint8Array({ maxLength: 4_096, size: 'max' }), (path, bytes) => {
      checkOne(engine, path, decodeText(bytes).text, config, options, stats, known);
    }),
    'hostile text': fc.property(name, hostileText, (path, text) => {
      checkOne(engine, path, text, config, options, stats, known);
    }),
  };
}

/** Runs every property; throws (with fast-check's counterexample and seed) on the first failure. */
export function runFuzz(engine: Engine, options: FuzzOptions): FuzzStats {
  const stats: FuzzStats = { files: 0, maxMs: 0, overBudget: 0 };
  for (const property of Object.values(properties(engine, options, stats))) fc.assert(property, { seed: options.seed, numRuns: options.numRuns });
  return stats;
}
