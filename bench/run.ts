// `npm run bench [-- --quick] [-- --only python,npm,lsp,workspace,classifier,modelfiles] [-- --save]`
// `npm run bench -- --table bench/results/latest.json` prints the table of earlier results.
// Measures everything in one run and prints ONE markdown table (pasteable into the README), and
// writes the same results as JSON to bench/results/latest.json (--save: also a dated copy).
// The machine is noisy: corpus measures are medians of several runs, interleaved between tools
// so that ratios compare runs made under the same load. See docs/benchmarks.md for the method.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION } from '../server/src/version';
import type { ClassifierBenchResult } from './classifier';
import { buildNpmCorpus, buildPythonCorpus } from './corpus';
import { benchCorpus, type CorpusResult } from './corpus-scan';
import { benchLsp, type LspResult } from './lsp';
import { commandVersion, machine, type RunPolicy } from './measure';
import type { ModelFileRow } from './modelfiles';
import { renderTable } from './table';
import { benchWorkspace, buildWorkspace, type WorkspaceResult } from './workspace';

const ROOT = join(__dirname, '..');
const SECTIONS = ['python', 'npm', 'lsp', 'workspace', 'classifier', 'modelfiles'] as const;
type Section = (typeof SECTIONS)[number];

export interface BenchResults {
  date: string;
  mode: 'full' | 'quick';
  machine: ReturnType<typeof machine> & { loadAverageAtEnd?: number[] };
  versions: Record<string, string | undefined>;
  policy: { corpus: RunPolicy; workspace: RunPolicy };
  durationS?: number;
  /** Anything a reader of these numbers must know that the numbers do not say. */
  notes?: string[];
  python?: CorpusResult;
  npm?: CorpusResult;
  lsp?: LspResult;
  workspace?: WorkspaceResult;
  classifier?: ClassifierBenchResult | { error: string };
  modelFiles?: ModelFileRow[] | { error: string };
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs a bench script in its own node process (its memory is then its own) and parses its JSON line. */
function childSection<T>(script: string, args: string[] = []): T | { error: string } {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, script), ...args, '--json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    return { error: (child.stderr || child.stdout || `exit ${child.status}`).trim().slice(-500) };
  }
}

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

async function main() {
  const args = process.argv.slice(2);
  const saved = option(args, '--table');
  if (saved) {
    // Re-renders the table of a results file (for the README) without measuring anything.
    console.log(renderTable(JSON.parse(readFileSync(saved, 'utf8')) as BenchResults));
    return;
  }
  const quick = args.includes('--quick');
  const only = new Set((option(args, '--only')?.split(',') ?? SECTIONS) as Section[]);
  for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; sections: ${SECTIONS.join(', ')}`);
  const maxRuns = Number(option(args, '--runs') ?? (quick ? 1 : 5));
  // A measure runs at least `min` times and at most `max`; it stops early, after `min`, once it
  // has used `capMs` (Bandit takes minutes per run on two cores).
  const corpusPolicy: RunPolicy = { min: Math.min(maxRuns, 3), max: maxRuns, capMs: quick ? 0 : 150_000 };
  // The workspace scan is one measure with no ratio to protect: once is enough when it is slow.
  const workspacePolicy: RunPolicy = { min: 1, max: Math.min(maxRuns, 3), capMs: quick ? 0 : 100_000 };
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const started = performance.now();

  const results: BenchResults = {
    date: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    machine: machine(),
    versions: {
      airlock: VERSION,
      'web-tree-sitter': packageVersion('web-tree-sitter'),
      'tree-sitter-python': packageVersion('tree-sitter-python'),
      'tree-sitter-javascript': packageVersion('tree-sitter-javascript'),
      'onnxruntime-node': packageVersion('onnxruntime-node'),
      ruff: packageVersion('@astral-sh/ruff-wasm-nodejs'),
      bandit: commandVersion('bandit', ['--version']),
      npm: commandVersion('npm', ['--version']),
    },
    policy: { corpus: corpusPolicy, workspace: workspacePolicy },
  };

  const work = mkdtempSync(join(tmpdir(), 'airlock-bench-'));
  try {
    const needsPython = only.has('python') || only.has('workspace');
    const needsNpm = only.has('npm') || only.has('workspace');
    log(`building corpora in ${work}`);
    const python = needsPython ? buildPythonCorpus(join(work, 'python')) : undefined;
    const npm = needsNpm ? buildNpmCorpus(join(work, 'npm')) : undefined;
    if (only.has('python')) results.python = await benchCorpus(python!, work, corpusPolicy, log);
    if (only.has('npm')) results.npm = await benchCorpus(npm!, work, corpusPolicy, log);
    if (only.has('lsp')) {
      log('language server: 200 edits on a 2,000-line file');
      results.lsp = await benchLsp();
    }
    if (only.has('workspace')) {
      log('synthetic 10,000-file workspace');
      const root = join(work, 'workspace');
      const built = buildWorkspace(root, python!, npm!);
      results.workspace = await benchWorkspace(root, built, join(work, 'workspace-report.json'), workspacePolicy, log);
    }
    if (only.has('classifier')) {
      log('classifier');
      results.classifier = childSection<ClassifierBenchResult>('classifier.ts');
    }
    if (only.has('modelfiles')) {
      log('model-file readers');
      results.modelFiles = childSection<ModelFileRow[]>('modelfiles.ts');
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  results.machine.loadAverageAtEnd = loadavg().map((l) => Number(l.toFixed(2)));
  results.durationS = Math.round((performance.now() - started) / 1000);

  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  // Three decimals are more than the noise allows; more would only make diffs of results unreadable.
  const json = JSON.stringify(results, (_, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Number(v.toFixed(3)) : v), 1) + '\n';
  writeFileSync(join(outDir, 'latest.json'), json);
  if (args.includes('--save')) writeFileSync(join(outDir, `${results.date.slice(0, 10)}.json`), json);
  console.log(renderTable(results));
  log(`results: bench/results/latest.json${args.includes('--save') ? ` and bench/results/${results.date.slice(0, 10)}.json` : ''} (${results.durationS} s)`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  });
}
