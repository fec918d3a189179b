// Fixture harness (semgrep-rules style). A fixture file marks expectations on the line BEFORE
// the code they describe:
//   # ruleid: <id>      this next line must be flagged by <id>
//   # ok: <id>          this next line is a look-alike that must NOT be flagged
//   # todoruleid: <id>  a known miss (must not be flagged yet; flag it and the test asks to promote it)
//   # todook: <id>      a known false positive (flagged, tolerated)
// `//`, `/*` and `<!--` work as comment markers too. Any hit on an unannotated line fails.
// `cases.fixed.<ext>` beside `cases.<ext>` is the text after applying every finding's first fix.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from '../../server/src/engine/engine';
import { hasGrammar } from '../../server/src/engine/files';
import { completeClassification, type Scorer } from '../../server/src/engine/classify';
import { defaultConfig, type AirlockConfig } from '../../server/src/engine/config/config';
import type { AnyRule } from '../../server/src/engine/rule';
import { LineIndex } from '../../server/src/engine/text/lines';
import type { Finding, TextEdit } from '../../server/src/engine/types';

export const FIXTURES_DIR = join(__dirname, '..', 'fixtures');

const ANNOTATION = /(?:#|\/\/|\/\*|<!--|\{#)\s*(ruleid|ok|todoruleid|todook):\s*([\w-]+(?:\s*,\s*[\w-]+)*)/;

type Kind = 'ruleid' | 'ok' | 'todoruleid' | 'todook';

export interface Expectations {
  /** 0-based line → annotation kinds that apply to it for this rule. */
  byLine: Map<number, Set<Kind>>;
  counts: Record<Kind, number>;
}

export function parseAnnotations(text: string, ruleId: string): Expectations {
  const lines = text.split(/\r\n|\r|\n/);
  const byLine = new Map<number, Set<Kind>>();
  const counts: Record<Kind, number> = { ruleid: 0, ok: 0, todoruleid: 0, todook: 0 };
  let pending: Kind[] = [];
  lines.forEach((line, i) => {
    const m = ANNOTATION.exec(line);
    const annotationOnly = m && line.slice(0, m.index).trim() === '';
    if (m && annotationOnly) {
      const ids = m[2].split(',').map((s) => s.trim());
      if (ids.includes(ruleId)) pending.push(m[1] as Kind);
      return;
    }
    if (pending.length > 0 && line.trim() !== '') {
      const set = byLine.get(i) ?? new Set<Kind>();
      for (const k of pending) {
        set.add(k);
        counts[k]++;
      }
      byLine.set(i, set);
      pending = [];
    }
  });
  return { byLine, counts };
}

export function configForOnly(rule: AnyRule, rules: readonly AnyRule[]): AirlockConfig {
  const config = defaultConfig();
  for (const r of rules) config.rules[r.meta.id] = 'off';
  config.rules[rule.meta.id] = 'on';
  return config;
}

export interface FixtureResult {
  file: string;
  problems: string[];
  counts: Record<Kind, number>;
  findings: Finding[];
}

/**
 * A rule's fixture files, in subfolders too: agent configs must sit at their real paths
 * (`.cursor/mcp.json`, `.claude/settings.json`), so dot-files and dot-folders count.
 */
export function fixtureFiles(ruleId: string): string[] {
  const dir = join(FIXTURES_DIR, ruleId);
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!/\.fixed(\.[^./]+)?$/.test(entry.name) && entry.name !== '.DS_Store') out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

/** Checks a fixture; texts a classifier rule sets aside are scored by `scorer` (the real model). */
export async function checkFixture(engine: Engine, rule: AnyRule, file: string, scorer?: Scorer): Promise<FixtureResult> {
  const text = readFileSync(file, 'utf8');
  const config = configForOnly(rule, engine.rules);
  const { findings, failures } = await completeClassification(engine.analyzeText(file, text, config), scorer);
  const expectations = parseAnnotations(text, rule.meta.id);
  const lines = new LineIndex(text);
  const problems: string[] = failures.map((f) => `rule crashed: ${f.error}`);
  const flagged = new Set(findings.map((f) => lines.positionAt(f.range.start).line));
  for (const line of flagged) {
    const kinds = expectations.byLine.get(line);
    const at = `${file}:${line + 1}: ${lines.lineText(line).trim()}`;
    if (!kinds || kinds.has('ok')) problems.push(`unexpected finding at ${at}`);
    else if (kinds.has('todoruleid')) problems.push(`known miss is now found, change todoruleid to ruleid at ${at}`);
  }
  for (const [line, kinds] of expectations.byLine) {
    if (kinds.has('ruleid') && !flagged.has(line)) problems.push(`missing finding at ${file}:${line + 1}: ${lines.lineText(line).trim()}`);
  }
  return { file, problems, counts: expectations.counts, findings };
}

/** Applies non-overlapping edits (later ones first, so offsets stay valid). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  let lastStart = Infinity;
  for (const e of sorted) {
    if (e.end > lastStart) continue; // overlaps an edit already applied: leave for the next round
    out = out.slice(0, e.start) + e.newText + out.slice(e.end);
    lastStart = e.start;
  }
  return out;
}

/**
 * Applies the first fix of every finding, re-analyzing until no fix remains (at most 10 rounds):
 * the result must converge, and must not add parse errors.
 */
export function applyAllFixes(engine: Engine, rule: AnyRule, file: string, text: string): { text: string; rounds: number; converged: boolean } {
  const config = configForOnly(rule, engine.rules);
  let current = text;
  for (let round = 1; round <= 10; round++) {
    const { findings } = engine.analyzeText(file, current, config);
    const edits = findings.flatMap((f) => f.fixes[0]?.edits ?? []);
    if (edits.length === 0) return { text: current, rounds: round - 1, converged: true };
    const next = applyEdits(current, edits);
    if (next === current) return { text: current, rounds: round, converged: false };
    current = next;
  }
  return { text: current, rounds: 10, converged: false };
}

export function countParseErrors(engine: Engine, file: string, text: string): number {
  const language = engine.languageFor(file);
  if (!language || !hasGrammar(language)) return 0;
  const tree = engine.parse(language, text);
  try {
    let errors = 0;
    const cursor = tree.walk();
    let more = true;
    while (more) {
      const n = cursor.currentNode;
      if (n.isError || n.isMissing) errors++;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          more = false;
          break;
        }
      }
    }
    return errors;
  } finally {
    tree.delete();
  }
}

/** `cases.py` → `cases.fixed.py`; a dot-file without an extension (`.cursorrules`) → `.cursorrules.fixed`. */
export function fixedFileFor(file: string): string {
  const slash = file.lastIndexOf('/');
  const name = file.slice(slash + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${file.slice(0, slash + 1 + dot)}.fixed${name.slice(dot)}` : `${file}.fixed`;
}
