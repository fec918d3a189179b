// Scan speed on a real corpus: the Airlock CLI as a process, the same scan in-process, the
// tree-sitter parse of the same files (the floor), and, on the Python corpus, Bandit (a process,
// all its tests as shipped) and Ruff's S rules through its WASM build (in-process).
import { readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PositionEncoding, Workspace } from '@astral-sh/ruff-wasm-nodejs';
import { Classifier } from '../server/src/classifier/index';
import { defaultConfig } from '../server/src/engine/config/config';
import { Engine } from '../server/src/engine/engine';
import { classifyFile, hasGrammar } from '../server/src/engine/files';
import { listFiles, scan } from '../server/src/engine/scan';
import type { Corpus } from './corpus';
import { commandVersion, interleave, MB, measureProcess, median, type ProcessSample, type RunPolicy } from './measure';

const ROOT = join(__dirname, '..');
/** The classifier runs on the CPU in every Airlock measure, so that results do not depend on a GPU being present. */
const CLI_FLAGS = ['--format', 'json', '--no-progress', '--device', 'cpu'];

export interface Throughput {
  runs: number;
  medianMs: number;
  minMs: number;
  filesPerS: number;
  mbPerS: number;
}

function throughput(samplesMs: number[], files: number, bytes: number): Throughput {
  const ms = median(samplesMs);
  return { runs: samplesMs.length, medianMs: ms, minMs: Math.min(...samplesMs), filesPerS: (files / ms) * 1000, mbPerS: (bytes / MB / ms) * 1000 };
}

export interface CorpusResult {
  corpus: string;
  description: string;
  files: number;
  mb: number;
  note?: string;
  airlockCli: Throughput & { cpuMedianMs: number; peakRssMb: number; filesScanned: number; skipped: { path: string; reason: string }[]; notListed: string[]; findings: number };
  airlockInProcess: Throughput & { filesScanned: number; findings: number; classifierTexts: number };
  parseOnly: Throughput & { files: number };
  bandit?: (Throughput & { cpuMedianMs: number; peakRssMb: number; version: string; issues: number; errors: number }) | { notInstalled: true };
  ruff?: Throughput & { version: string; diagnostics: number };
  ratios: Record<string, number>;
}

interface CliReport {
  summary: { findings: number; filesScanned: number };
  skipped: { path: string; reason: string }[];
}

export async function benchCorpus(corpus: Corpus, work: string, policy: RunPolicy, log: (m: string) => void): Promise<CorpusResult> {
  const engine = await Engine.create();
  const config = defaultConfig();
  const classifier = new Classifier({ device: 'cpu' });
  await classifier.start();
  let classifierTexts = 0;
  const countingScorer = {
    get threshold() {
      return classifier.threshold;
    },
    score(texts: string[]) {
      classifierTexts += texts.length;
      return classifier.score(texts);
    },
  };
  const reportPath = join(work, `airlock-${corpus.name}.json`);
  const banditPath = join(work, `bandit-${corpus.name}.json`);
  const banditVersion = corpus.name === 'python' ? commandVersion('bandit', ['--version']) : undefined;
  let cliReport: CliReport | undefined;
  let inProcess = { files: 0, findings: 0, classifierTexts: 0 };
  let parsedFiles = 0;
  let ruffDiagnostics = 0;
  let bandit = { issues: 0, errors: 0 };

  const checkExit = (what: string, sample: ProcessSample, ok: number[]) => {
    if (!ok.includes(sample.exitCode)) throw new Error(`${what} exited with ${sample.exitCode}: ${sample.stderr}`);
    return sample;
  };

  const measures: Record<string, () => Promise<ProcessSample | number | undefined>> = {
    // Exit 1 means "findings at or above --fail-on", which is expected on real code.
    airlockCli: async () => {
      const sample = checkExit('airlock scan', await measureProcess(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'scan', corpus.root, ...CLI_FLAGS, '-o', reportPath]), [0, 1]);
      cliReport = JSON.parse(readFileSync(reportPath, 'utf8')) as CliReport;
      return sample;
    },
    airlockInProcess: async () => {
      const started = performance.now();
      const counts = { files: 0, findings: 0, classifierTexts: 0 };
      classifierTexts = 0;
      for await (const event of scan(engine, [corpus.root], { baseConfig: config, scorer: countingScorer })) {
        if (event.kind === 'file') {
          counts.files++;
          counts.findings += event.findings.length;
        }
      }
      const ms = performance.now() - started;
      inProcess = { ...counts, classifierTexts };
      return ms;
    },
    // The floor: read and parse every file with the engine's grammars, then free the tree.
    parseOnly: async () => {
      const started = performance.now();
      parsedFiles = 0;
      for (const file of corpus.files) {
        const language = classifyFile(file)?.language;
        if (!language || !hasGrammar(language)) continue;
        engine.parse(language, readFileSync(file, 'utf8')).delete();
        parsedFiles++;
      }
      return performance.now() - started;
    },
  };
  if (corpus.name === 'python') {
    const ruff = new Workspace({ lint: { select: ['S'] } }, PositionEncoding.Utf16);
    measures.ruff = async () => {
      const started = performance.now();
      let diagnostics = 0;
      for (const file of corpus.files) diagnostics += (ruff.check(readFileSync(file, 'utf8')) as unknown[]).length;
      ruffDiagnostics = diagnostics;
      return performance.now() - started;
    };
    // Exit 1 means issues found; a file Bandit cannot parse is listed in its "errors", not fatal.
    measures.bandit = async () => {
      if (!banditVersion) return undefined;
      const sample = checkExit('bandit', await measureProcess('bandit', ['-r', '-q', '-f', 'json', '-o', banditPath, corpus.root]), [0, 1]);
      const report = JSON.parse(readFileSync(banditPath, 'utf8')) as { results: unknown[]; errors: unknown[] };
      bandit = { issues: report.results.length, errors: report.errors.length };
      return sample;
    };
  }

  log(`${corpus.name} corpus: ${corpus.files.length} files, ${(corpus.bytes / MB).toFixed(1)} MB`);
  const samples = await interleave(measures, policy, log);
  await classifier.dispose();
  rmSync(reportPath, { force: true });
  rmSync(banditPath, { force: true });

  const files = corpus.files.length;
  // Files the scan's own listing leaves out (built-in excludes such as venv/): not skipped with a reason, just not there.
  const listed = new Set(await listFiles([corpus.root]));
  const notListed = corpus.files.filter((f) => !listed.has(f)).map((f) => relative(corpus.root, f));
  const processSamples = (name: string) => samples[name] as ProcessSample[];
  const wall = (name: string) => processSamples(name).map((s) => s.wallMs);
  const cli = processSamples('airlockCli');
  const result: CorpusResult = {
    corpus: corpus.name,
    description: corpus.description,
    files,
    mb: corpus.bytes / MB,
    note: corpus.renamed,
    airlockCli: {
      ...throughput(wall('airlockCli'), cliReport!.summary.filesScanned, corpus.bytes),
      cpuMedianMs: median(cli.map((s) => s.cpuMs)),
      peakRssMb: Math.max(...cli.map((s) => s.maxRssMb)),
      filesScanned: cliReport!.summary.filesScanned,
      skipped: cliReport!.skipped.map((s) => ({ ...s, path: relative(corpus.root, s.path) })),
      notListed,
      findings: cliReport!.summary.findings,
    },
    airlockInProcess: { ...throughput(samples.airlockInProcess as number[], inProcess.files, corpus.bytes), filesScanned: inProcess.files, findings: inProcess.findings, classifierTexts: inProcess.classifierTexts },
    parseOnly: { ...throughput(samples.parseOnly as number[], parsedFiles, corpus.bytes), files: parsedFiles },
    ratios: {},
  };
  if (corpus.name === 'python') {
    result.ruff = { ...throughput(samples.ruff as number[], files, corpus.bytes), version: Workspace.version(), diagnostics: ruffDiagnostics };
    if (banditVersion && samples.bandit) {
      const b = processSamples('bandit');
      result.bandit = { ...throughput(wall('bandit'), files, corpus.bytes), cpuMedianMs: median(b.map((s) => s.cpuMs)), peakRssMb: Math.max(...b.map((s) => s.maxRssMb)), version: banditVersion, ...bandit };
    } else result.bandit = { notInstalled: true };
  }
  // Process against process, in-process against in-process.
  const r = result.ratios;
  r.airlockInProcessOverParseOnly = result.airlockInProcess.medianMs / result.parseOnly.medianMs;
  if (result.ruff) r.airlockInProcessOverRuff = result.airlockInProcess.medianMs / result.ruff.medianMs;
  if (result.bandit && 'medianMs' in result.bandit) {
    r.banditOverAirlockCli = result.bandit.medianMs / result.airlockCli.medianMs;
    r.banditOverAirlockCliCpu = result.bandit.cpuMedianMs / result.airlockCli.cpuMedianMs;
  }
  return result;
}
