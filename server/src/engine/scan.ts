// Workspace scanning: find the files under some roots (respecting .gitignore, built-in
// excludes and config excludes), read each once, analyze it, and stream the results. Files
// that cannot be analyzed are reported as skipped with a reason: never silently dropped.
import { readFile, stat } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { glob } from 'tinyglobby';
import { defaultConfig, findConfig, loadConfigFile, mergeConfig, type AirlockConfig, type ConfigError, type LoadedConfig } from './config/config';
import type { RuleMeta } from './rule';
import type { Engine } from './engine';
import { completeClassification, type Scorer } from './classify';
import { isModelFile, scanModel } from './modelscan';
import type { RuleFailure } from './analyzer';
import { classifyFile, SCAN_PATTERNS } from './files';
import type { Report } from './render/report';
import type { Finding, Skipped } from './types';

/** Folders nobody wants scanned: dependencies, virtualenvs, caches, VCS internals. */
/** Types that are never model files: skipped before their first bytes are read. */
const NOT_MODEL_FILES = ['**/*.{png,jpg,jpeg,gif,svg,ico,webp,bmp,woff,woff2,ttf,otf,eot,pdf,css,scss,less,html,htm,map,lock,txt,csv,tsv,sh,bash,zsh,ps1,bat,xml,sql,go,rs,java,kt,c,h,cc,cpp,hpp,rb,php,swift,cs,vue,svelte,log,ini,cfg,gitignore,gitattributes,editorconfig,license}', '**/LICENSE', '**/Makefile', '**/Dockerfile'];

export const BUILTIN_EXCLUDES = ['**/.git/**', '**/node_modules/**', '**/.venv/**', '**/venv/**', '**/__pycache__/**', '**/.tox/**', '**/site-packages/**', '**/.mypy_cache/**'];

export type ScanEvent =
  | { kind: 'start'; total: number }
  /** An analyzed file; `text` is empty for model files (their findings carry byte offsets). */
  | { kind: 'file'; path: string; text: string; findings: Finding[]; failures: RuleFailure[]; model?: boolean; /** What the model-file readers found the file to be. */ modelFormat?: string }
  | { kind: 'skipped'; skipped: Skipped }
  | { kind: 'config-error'; error: ConfigError };

export interface ScanOptions {
  /** Editor settings or CLI flags; config files found on disk are overlaid on it. */
  baseConfig?: AirlockConfig;
  /** An explicit config file (the CLI's --config): used for every file, no discovery. */
  configFile?: string;
  signal?: AbortSignal;
  /**
   * Whether the project's own files may steer the scan: config files (airlock.toml,
   * [tool.airlock], "airlock" in package.json) and .gitignore. Default true. The editor turns it
   * off in untrusted workspaces, where a repository could otherwise hide its own findings.
   */
  projectConfig?: boolean;
  /** Scores the texts classifier rules set aside; without one, those rules report nothing. */
  scorer?: Scorer;
}

/** Decodes bytes as UTF-8; invalid sequences become U+FFFD and are reported, not fatal. */
export function decodeText(bytes: Uint8Array): { text: string; invalidUtf8: boolean } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), invalidUtf8: false };
  } catch {
    return { text: new TextDecoder('utf-8').decode(bytes), invalidUtf8: true };
  }
}

export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 8192);
  for (let i = 0; i < n; i++) if (bytes[i] === 0) return true;
  return false;
}

/** .gitignore files apply to paths below their own folder, as git applies them. */
class GitIgnores {
  private readonly byDir = new Map<string, Ignore | null>();
  constructor(private readonly root: string) {}

  private forDir(dir: string): Ignore | null {
    let ig = this.byDir.get(dir);
    if (ig !== undefined) return ig;
    const file = join(dir, '.gitignore');
    ig = existsSync(file) ? ignore().add(readFileSync(file, 'utf8')) : null;
    this.byDir.set(dir, ig);
    return ig;
  }

  ignores(path: string): boolean {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const ig = this.forDir(dir);
      if (ig) {
        const rel = relative(dir, path).split(sep).join('/');
        if (rel && ig.ignores(rel)) return true;
      }
      if (dir === this.root || dirname(dir) === dir || !dir.startsWith(this.root)) return false;
    }
  }
}

/** Lists the files a scan of `roots` covers (files named directly are always included). */
export async function listFiles(roots: string[], extraExcludes: string[] = [], useGitignore = true): Promise<string[]> {
  const out = new Set<string>();
  for (const r of roots) {
    const root = resolve(r);
    const info = statSync(root);
    if (info.isFile()) {
      out.add(root);
      continue;
    }
    // Text files by name; every other file is a model-file candidate, decided by its first bytes.
    const found = await glob(SCAN_PATTERNS, { cwd: root, absolute: true, dot: true, ignore: [...BUILTIN_EXCLUDES, ...extraExcludes], expandDirectories: false, followSymbolicLinks: false });
    const gitignores = useGitignore ? new GitIgnores(root) : { ignores: () => false };
    for (const f of found) if (classifyFile(f) && !gitignores.ignores(f)) out.add(resolve(f));
    const others = await glob(['**/*'], { cwd: root, absolute: true, dot: true, ignore: [...BUILTIN_EXCLUDES, ...extraExcludes, ...NOT_MODEL_FILES], expandDirectories: false, followSymbolicLinks: false });
    for (const f of others) if (!classifyFile(f) && !gitignores.ignores(f) && isModelFile(f)) out.add(resolve(f));
  }
  return [...out].sort();
}

/** Config per folder, cached for the duration of one scan. */
class ConfigResolver {
  private readonly cache = new Map<string, { config: AirlockConfig; excluded: (path: string) => boolean }>();
  readonly errors: ConfigError[] = [];
  private readonly reported = new Set<string>();

  constructor(
    private readonly engine: Engine,
    private readonly base: AirlockConfig,
    private readonly root: string | undefined,
    private readonly explicitFile: string | undefined,
    private readonly discover: boolean,
  ) {}

  forFile(path: string): { config: AirlockConfig; excluded: (path: string) => boolean } {
    const dir = dirname(path);
    const hit = this.cache.get(dir);
    if (hit) return hit;
    const metas = this.engine.rules.map((r) => r.meta);
    const loaded = this.explicitFile ? explicitConfig(this.explicitFile, metas) : this.discover ? findConfig(dir, this.root, metas) : NO_CONFIG;
    if (loaded.file && !this.reported.has(loaded.file)) {
      this.reported.add(loaded.file);
      this.errors.push(...loaded.errors);
    }
    const config = mergeConfig(this.base, loaded.overrides);
    const baseDir = loaded.file ? dirname(loaded.file) : (this.root ?? dir);
    const matcher = config.exclude.length > 0 ? ignore().add(config.exclude) : undefined;
    const excluded = (p: string) => {
      if (!matcher) return false;
      const rel = relative(baseDir, p).split(sep).join('/');
      return !rel.startsWith('..') && rel !== '' && matcher.ignores(rel);
    };
    const entry = { config, excluded };
    this.cache.set(dir, entry);
    return entry;
  }
}

const NO_CONFIG: LoadedConfig = { overrides: {}, errors: [] };

function explicitConfig(file: string, metas: readonly RuleMeta[]): LoadedConfig {
  return loadConfigFile(resolve(file), metas) ?? { overrides: {}, file: resolve(file), errors: [{ file, message: 'no airlock configuration found in this file' }] };
}

/**
 * Scans files and folders. Yields a 'start' event with the file count, then one event per file
 * (analyzed or skipped), with config errors as their files are found. Stops when `signal` aborts.
 */
export async function* scan(engine: Engine, roots: string[], options: ScanOptions = {}): AsyncGenerator<ScanEvent> {
  const base = options.baseConfig ?? defaultConfig();
  const commonRoot = roots.length === 1 && existsSync(roots[0]) && statSync(roots[0]).isDirectory() ? resolve(roots[0]) : undefined;
  const projectConfig = options.projectConfig ?? true;
  const configs = new ConfigResolver(engine, base, commonRoot, options.configFile, projectConfig);
  const files = await listFiles(roots, base.exclude, projectConfig);
  yield { kind: 'start', total: files.length };
  for (const path of files) {
    if (options.signal?.aborted) break;
    const { config, excluded } = configs.forFile(path);
    for (const error of configs.errors.splice(0)) yield { kind: 'config-error', error };
    if (excluded(path)) continue;
    yield await scanFile(engine, path, config, options.scorer);
  }
}

export async function scanFile(engine: Engine, path: string, config: AirlockConfig, scorer?: Scorer): Promise<ScanEvent> {
  const skip = (reason: string): ScanEvent => ({ kind: 'skipped', skipped: { path, reason } });
  if (!classifyFile(path)) {
    if (!isModelFile(path)) return skip('not a file type Airlock reads (neither source, config nor a model file)');
    const { findings, report } = scanModel(path, engine.rules.map((r) => r.meta), config);
    return { kind: 'file', path, text: '', findings, failures: [], model: true, modelFormat: report.format };
  }
  try {
    const info = await stat(path);
    if (info.size > config.maxFileSize) return skip(`too large: ${info.size} bytes (max-file-size is ${config.maxFileSize})`);
    const bytes = await readFile(path);
    if (looksBinary(bytes)) return skip('binary content (NUL bytes) in a source file');
    const { text, invalidUtf8 } = decodeText(bytes);
    const { findings, failures } = await completeClassification(engine.analyzeText(path, text, config), scorer, config.classifierThreshold);
    if (invalidUtf8) failures.push({ ruleId: '(decoder)', path, error: 'invalid UTF-8: undecodable bytes were replaced with U+FFFD and the file was analyzed anyway' });
    return { kind: 'file', path, text, findings, failures };
  } catch (err) {
    return skip(`cannot analyze: ${(err as Error).message}`);
  }
}

export interface ReportOptions extends ScanOptions {
  tool: { name: string; version: string };
  /** How paths are shown (relative to the working or workspace folder). */
  displayPath(path: string): string;
  /** Every event as it arrives (progress, or reading each file's text for an inventory). */
  onEvent?(event: ScanEvent): void | Promise<void>;
}

/** Scans `roots` into the report every renderer takes; only files with findings keep their text. */
export async function scanToReport(engine: Engine, roots: string[], options: ReportOptions): Promise<Report> {
  const started = performance.now();
  const report: Report = { tool: options.tool, rules: engine.rules.map((r) => r.meta), files: [], skipped: [], configErrors: [], failures: [], filesScanned: 0, durationMs: 0 };
  for await (const event of scan(engine, roots, options)) {
    await options.onEvent?.(event);
    switch (event.kind) {
      case 'file':
        report.filesScanned++;
        if (event.findings.length > 0) report.files.push({ path: event.path, displayPath: options.displayPath(event.path), text: event.text, findings: event.findings });
        report.failures.push(...event.failures);
        break;
      case 'skipped':
        report.skipped.push({ ...event.skipped, path: options.displayPath(event.skipped.path) });
        break;
      case 'config-error':
        report.configErrors.push(event.error);
        break;
    }
  }
  report.durationMs = performance.now() - started;
  return report;
}
