// Project configuration: `airlock.toml`, `[tool.airlock]` in pyproject.toml, or an "airlock"
// key in package.json — the first of these found in a folder, walking up from the file.
//
//   preview = false                  # opt in to preview rules
//   exclude = ["vendor/**"]          # globs, relative to the config file's folder
//   max-file-size = 2000000          # bytes; larger files are skipped with an info finding
//   classifier-threshold = 0.9       # score needed for injection-prone-prompt findings
//   max-model-file-size = 536870912  # bytes the model-file readers read per file
//   time-budget-ms = 2000            # per file; rules left when it runs out are reported skipped
//   [rules]
//   pickle-deserialization = "off"   # off | on | error | warning | info
//   deserialization = "warning"      # a group name sets every rule in the group
//
// A broken config never stops a scan: it yields ConfigErrors (file, key, line) and defaults.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_TIME_BUDGET_MS } from '../budget';
import type { RuleMeta } from '../rule';
import type { Severity } from '../types';

export type RuleSetting = 'off' | 'on' | Severity;
const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'on', 'error', 'warning', 'info'];

export interface AirlockConfig {
  rules: Record<string, RuleSetting>;
  exclude: string[];
  preview: boolean;
  maxFileSize: number;
  /** Classifier findings need at least this score; undefined: the model's own threshold. */
  classifierThreshold?: number;
  /** Bytes the model-file readers may read from one file before reporting it skipped. */
  maxModelFileSize: number;
  /** Milliseconds one file's analysis may take before its remaining rules are skipped (and that is reported). */
  timeBudgetMs: number;
}

export const DEFAULT_MAX_FILE_SIZE = 2_000_000;
export const DEFAULT_MAX_MODEL_FILE_SIZE = 512 * 1024 * 1024;

export function defaultConfig(): AirlockConfig {
  return { rules: {}, exclude: [], preview: false, maxFileSize: DEFAULT_MAX_FILE_SIZE, maxModelFileSize: DEFAULT_MAX_MODEL_FILE_SIZE, timeBudgetMs: DEFAULT_TIME_BUDGET_MS };
}

export interface ConfigError {
  file: string;
  /** 1-based, when known. */
  line?: number;
  key?: string;
  message: string;
}

export interface LoadedConfig {
  /** Only the keys the file sets, to overlay on editor settings or defaults with mergeConfig. */
  overrides: Partial<AirlockConfig>;
  /** The file it came from; undefined when only defaults apply. */
  file?: string;
  errors: ConfigError[];
}

export const CONFIG_FILES = ['airlock.toml', 'pyproject.toml', 'package.json'] as const;

/** The first line that mentions `key` as a key, 1-based, for error messages. */
function lineOfKey(text: string, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*[=:]`, 'm');
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

/** Reads the airlock section of one config file; undefined when the file has none. */
function readSection(file: string, text: string): { raw: unknown; errors: ConfigError[] } | undefined {
  const name = file.slice(file.lastIndexOf('/') + 1);
  try {
    if (name === 'package.json') {
      const json = JSON.parse(text) as Record<string, unknown>;
      return json && typeof json === 'object' && 'airlock' in json ? { raw: json.airlock, errors: [] } : undefined;
    }
    const toml = parseToml(text) as Record<string, unknown>;
    if (name === 'pyproject.toml') {
      const tool = toml.tool as Record<string, unknown> | undefined;
      return tool && typeof tool === 'object' && 'airlock' in tool ? { raw: tool.airlock, errors: [] } : undefined;
    }
    return { raw: toml, errors: [] };
  } catch (err) {
    const e = err as { line?: number; message?: string };
    // A broken pyproject.toml or package.json may not even be ours to report, unless it mentions us.
    if (name !== 'airlock.toml' && !text.includes('airlock')) return undefined;
    return { raw: undefined, errors: [{ file, line: e.line, message: `cannot parse: ${(e.message ?? String(err)).split('\n')[0]}` }] };
  }
}

export function validateConfig(raw: unknown, file: string, text: string, rules: readonly RuleMeta[]): LoadedConfig {
  const config: Partial<AirlockConfig> = {};
  const errors: ConfigError[] = [];
  const fail = (key: string, message: string) => errors.push({ file, key, line: lineOfKey(text, key.split('.').pop() ?? key), message });
  if (raw === undefined) return { overrides: config, file, errors };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    fail('airlock', 'the airlock configuration must be a table/object');
    return { overrides: config, file, errors };
  }
  const ruleIds = new Set(rules.map((r) => r.id));
  const groups = new Set(rules.map((r) => r.group));
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    switch (key) {
      case 'preview':
        if (typeof value === 'boolean') config.preview = value;
        else fail(key, 'must be true or false');
        break;
      case 'exclude':
        if (Array.isArray(value) && value.every((v) => typeof v === 'string')) config.exclude = value as string[];
        else fail(key, 'must be a list of glob strings');
        break;
      case 'max-file-size':
        if (typeof value === 'number' && Number.isInteger(value) && value > 0) config.maxFileSize = value;
        else fail(key, 'must be a positive whole number of bytes');
        break;
      case 'max-model-file-size':
        if (typeof value === 'number' && Number.isInteger(value) && value > 0) config.maxModelFileSize = value;
        else fail(key, 'must be a positive whole number of bytes');
        break;
      case 'time-budget-ms':
        if (typeof value === 'number' && Number.isInteger(value) && value > 0) config.timeBudgetMs = value;
        else fail(key, 'must be a positive whole number of milliseconds');
        break;
      case 'classifier-threshold':
        if (typeof value === 'number' && value > 0 && value < 1) config.classifierThreshold = value;
        else fail(key, 'must be a number between 0 and 1');
        break;
      case 'rules':
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          fail(key, 'must be a table of rule-id or group = "off" | "on" | "error" | "warning" | "info"');
          break;
        }
        for (const [id, setting] of Object.entries(value as Record<string, unknown>)) {
          if (!ruleIds.has(id) && !groups.has(id)) fail(`rules.${id}`, `unknown rule or group '${id}'`);
          else if (!RULE_SETTINGS.includes(setting as RuleSetting)) fail(`rules.${id}`, `must be one of ${RULE_SETTINGS.map((s) => `"${s}"`).join(', ')}`);
          else (config.rules ??= {})[id] = setting as RuleSetting;
        }
        break;
      default:
        fail(key, `unknown key '${key}' (known: preview, exclude, max-file-size, max-model-file-size, time-budget-ms, classifier-threshold, rules)`);
    }
  }
  return { overrides: config, file, errors };
}

/** Loads one config file; ConfigErrors describe whatever was wrong with it. */
export function loadConfigFile(file: string, rules: readonly RuleMeta[]): LoadedConfig | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { overrides: {}, file, errors: [{ file, message: `cannot read: ${(err as Error).message}` }] };
  }
  const section = readSection(file, text);
  if (!section) return undefined;
  if (section.errors.length > 0) return { overrides: {}, file, errors: section.errors };
  return validateConfig(section.raw, file, text, rules);
}

/**
 * The configuration that governs files in `dir`: the nearest folder (up to `stopAt`, inclusive)
 * with a config file that has an airlock section.
 */
export function findConfig(dir: string, stopAt: string | undefined, rules: readonly RuleMeta[]): LoadedConfig {
  for (let current = dir; ; ) {
    for (const name of CONFIG_FILES) {
      const file = join(current, name);
      if (!existsSync(file)) continue;
      const loaded = loadConfigFile(file, rules);
      if (loaded) return loaded;
    }
    const parent = dirname(current);
    if (current === stopAt || parent === current) break;
    current = parent;
  }
  return { overrides: {}, errors: [] };
}

/** Overlays `over` (a config file) on `base` (editor settings or defaults). */
export function mergeConfig(base: AirlockConfig, over: Partial<AirlockConfig>): AirlockConfig {
  return {
    rules: { ...base.rules, ...over.rules },
    exclude: [...base.exclude, ...(over.exclude ?? [])],
    preview: over.preview ?? base.preview,
    maxFileSize: over.maxFileSize ?? base.maxFileSize,
    classifierThreshold: over.classifierThreshold ?? base.classifierThreshold,
    maxModelFileSize: over.maxModelFileSize ?? base.maxModelFileSize,
    timeBudgetMs: over.timeBudgetMs ?? base.timeBudgetMs,
  };
}

/** Whether a rule runs, and at which severity, under a config. Rule settings beat group settings. */
export function ruleSetting(config: AirlockConfig, meta: RuleMeta): { enabled: boolean; severity: Severity } {
  const setting = config.rules[meta.id] ?? config.rules[meta.group];
  if (setting === 'off') return { enabled: false, severity: meta.severity };
  const explicitlyOn = setting !== undefined;
  const enabled = explicitlyOn || ((meta.defaultEnabled ?? true) && (meta.status === 'stable' || config.preview));
  return { enabled, severity: setting === undefined || setting === 'on' ? meta.severity : setting };
}
