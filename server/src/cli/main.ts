// The `airlock` command: argv → config → engine.scan → renderer → exit code.
// Exit codes: 0 no findings at or above --fail-on, 1 findings, 2 usage or internal error.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { defaultConfig } from '../engine/config/config';
import { Engine } from '../engine/engine';
import { renderHtml } from '../engine/render/html';
import { renderJson } from '../engine/render/json';
import { renderSarif } from '../engine/render/sarif';
import { renderText } from '../engine/render/text';
import { scanToReport } from '../engine/scan';
import { generateBom } from '../engine/bom/index';
import { SEVERITIES, type Severity } from '../engine/types';
import { VERSION } from '../version';
import { Classifier, type DeviceSetting } from '../classifier/index';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

interface ScanFlags {
  format: 'text' | 'json' | 'sarif' | 'html';
  output?: string;
  failOn: Severity;
  config?: string;
  color: boolean;
  progress: boolean;
  classifier: boolean;
  device: DeviceSetting;
}

const DEVICES: readonly DeviceSetting[] = ['auto', 'cpu', 'cuda', 'webgpu'];

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** A one-line progress bar on stderr, only when a person is watching a long scan. */
function progressBar(enabled: boolean) {
  let total = 0;
  let done = 0;
  let last = 0;
  const draw = (final = false) => {
    if (!enabled || total < 50) return;
    const now = Date.now();
    if (!final && now - last < 80) return;
    last = now;
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} files${final ? '\n' : ''}`);
  };
  return {
    start(n: number) {
      total = n;
      draw();
    },
    tick() {
      done++;
      draw(done === total);
    },
  };
}

async function runScan(paths: string[], flags: ScanFlags): Promise<number> {
  const engine = await Engine.create();
  const progress = progressBar(flags.progress && process.stderr.isTTY === true && flags.output !== '-');
  const roots = (paths.length > 0 ? paths : ['.']).map((p) => resolve(p));
  // Loaded on the first text a classifier rule sets aside; says on stderr why if it cannot load.
  const classifier = new Classifier({ enabled: flags.classifier, device: flags.device, log: (m) => process.stderr.write(`airlock: ${m}\n`) });
  const report = await scanToReport(engine, roots, {
    tool: { name: 'airlock', version: VERSION },
    displayPath,
    baseConfig: defaultConfig(),
    configFile: flags.config,
    scorer: classifier,
    onEvent(event) {
      if (event.kind === 'start') progress.start(event.total);
      else if (event.kind !== 'config-error') progress.tick();
    },
  });
  await classifier.dispose();

  const rendered =
    flags.format === 'json'
      ? renderJson(report)
      : flags.format === 'sarif'
        ? renderSarif(report)
        : flags.format === 'html'
          ? renderHtml(report)
          : renderText(report, { color: flags.color && !flags.output && process.stdout.isTTY === true });
  if (flags.output && flags.output !== '-') writeFileSync(flags.output, rendered);
  else process.stdout.write(rendered);

  const threshold = SEVERITIES.indexOf(flags.failOn);
  const failing = report.files.some((f) => f.findings.some((x) => SEVERITIES.indexOf(x.severity) >= threshold));
  return failing ? EXIT_FINDINGS : EXIT_OK;
}

async function runBom(paths: string[], flags: { output?: string; config?: string; classifier: boolean; device: DeviceSetting }): Promise<number> {
  const engine = await Engine.create();
  const roots = (paths.length > 0 ? paths : ['.']).map((p) => resolve(p));
  const classifier = new Classifier({ enabled: flags.classifier, device: flags.device, log: (m) => process.stderr.write(`airlock: ${m}\n`) });
  try {
    const { bom, report } = await generateBom(engine, roots, { tool: { name: 'airlock', version: VERSION }, displayPath, baseConfig: defaultConfig(), configFile: flags.config, scorer: classifier });
    // The BOM is the output; what could not be read is said on stderr, as the scan would.
    for (const e of report.configErrors) process.stderr.write(`airlock: config error: ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message} (using defaults for it)\n`);
    for (const s of report.skipped) process.stderr.write(`airlock: skipped ${s.path}: ${s.reason}\n`);
    const json = JSON.stringify(bom, null, 2) + '\n';
    if (flags.output && flags.output !== '-') writeFileSync(flags.output, json);
    else process.stdout.write(json);
    return EXIT_OK;
  } finally {
    await classifier.dispose();
  }
}

async function readInput(file: string | undefined): Promise<string> {
  if (file) return readFileSync(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function runClassify(file: string | undefined, flags: { text?: string; device: DeviceSetting; threshold?: number }): Promise<number> {
  const texts: string[] = [];
  if (flags.text !== undefined) texts.push(flags.text);
  else {
    const lines = (await readInput(file)).split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch (err) {
        process.stderr.write(`airlock: line ${i + 1}: not JSON (${(err as Error).message})\n`);
        return EXIT_ERROR;
      }
      const text = (row as { text?: unknown })?.text;
      if (typeof text !== 'string') {
        process.stderr.write(`airlock: line ${i + 1}: no "text" string field\n`);
        return EXIT_ERROR;
      }
      texts.push(text);
    }
  }
  const classifier = new Classifier({ device: flags.device, log: (m) => process.stderr.write(`airlock: ${m}\n`) });
  try {
    await classifier.start();
    if (classifier.status.state !== 'ready') {
      process.stderr.write(`airlock: the classifier is unavailable: ${classifier.status.detail}\n`);
      return EXIT_ERROR;
    }
    const threshold = flags.threshold ?? classifier.threshold ?? 0.5;
    // Chunks keep memory flat on large inputs; output order follows input order.
    for (let start = 0; start < texts.length; start += 256) {
      const results = await classifier.score(texts.slice(start, start + 256));
      process.stdout.write(results.map((r) => JSON.stringify({ score: Number((r?.score ?? 0).toFixed(6)), label: (r?.score ?? 0) >= threshold ? 'injection' : 'benign', window: r?.window })).join('\n') + '\n');
    }
    return EXIT_OK;
  } finally {
    await classifier.dispose();
  }
}

function parseSeverity(value: string): Severity {
  if (!(SEVERITIES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(', ')}`);
  return value as Severity;
}

export function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('airlock')
    .description('Security scanner for AI/ML code: unsafe model loading, prompt injection paths, risky agent configs.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('scan')
    .description('scan files and folders (default: the current folder)')
    .argument('[paths...]', 'files or folders to scan')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json', 'sarif', 'html']).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (info, warning, error)', parseSeverity, 'warning' as Severity)
    .option('-c, --config <file>', 'use this config file (airlock.toml, pyproject.toml or package.json) for every file')
    .option('--no-color', 'plain text output')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--no-classifier', 'skip the local injection classifier (rule injection-prone-prompt)')
    .addOption(new Option('--device <device>', 'where the classifier runs').choices([...DEVICES]).default('auto'))
    .action(async (paths: string[], flags: ScanFlags) => {
      setExit(await runScan(paths, flags));
    });

  program
    .command('bom')
    .description('write the AI bill of materials (CycloneDX 1.6 JSON): models, datasets, AI packages, LLM providers and model names, MCP servers, with findings attached')
    .argument('[paths...]', 'files or folders to inventory (default: the current folder)')
    .option('-o, --output <file>', 'write the BOM to a file instead of stdout')
    .option('-c, --config <file>', 'use this config file (airlock.toml, pyproject.toml or package.json) for every file')
    .option('--no-classifier', 'skip the local injection classifier (rule injection-prone-prompt)')
    .addOption(new Option('--device <device>', 'where the classifier runs').choices([...DEVICES]).default('auto'))
    .action(async (paths: string[], flags: { output?: string; config?: string; classifier: boolean; device: DeviceSetting }) => {
      setExit(await runBom(paths, flags));
    });

  program
    .command('classify')
    .description('score texts with the local injection classifier: JSON Lines with a "text" field in, one JSON line per input out')
    .argument('[file]', 'a JSON Lines file (default: standard input)')
    .option('-t, --text <text>', 'score this text instead of reading JSON Lines')
    .addOption(new Option('--device <device>', 'where the classifier runs').choices([...DEVICES]).default('auto'))
    .option('--threshold <score>', 'label texts at or above this score as injection (default: the model\'s own)', parseFloat)
    .action(async (file: string | undefined, flags: { text?: string; device: DeviceSetting; threshold?: number }) => {
      setExit(await runClassify(file, flags));
    });

  program
    .command('rules')
    .description('list the rules with their group, severity and fix kind')
    .action(async () => {
      const engine = await Engine.create();
      for (const r of engine.rules) {
        process.stdout.write(`${r.meta.id.padEnd(36)} ${r.meta.group.padEnd(18)} ${r.meta.severity.padEnd(8)} fix:${r.meta.fix.padEnd(7)} ${r.meta.title}\n`);
      }
      setExit(EXIT_OK);
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram((c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a usage error.
      return err.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    process.stderr.write(`airlock: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
