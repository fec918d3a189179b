// The result of a scan as every renderer sees it: findings with their file's text (for
// positions and code frames), what was skipped, config errors and rule failures.
import type { RuleFailure } from '../analyzer';
import type { ConfigError } from '../config/config';
import type { RuleMeta } from '../rule';
import { LineIndex, type Position } from '../text/lines';
import type { Finding, Severity, Skipped } from '../types';

/** The project's home; rule docs live beside the rules in its sources. */
export const PROJECT_URL = 'https://github.com/airlock-scanner/airlock';
const DOCS_BASE_URL = `${PROJECT_URL}/blob/main/server/src/rules`;

export function docsUrl(meta: Pick<RuleMeta, 'id' | 'group'>): string {
  return `${DOCS_BASE_URL}/${meta.group}/${meta.id}.md`;
}

export interface ScannedFile {
  path: string;
  /** The path to print: relative to the working folder when inside it. */
  displayPath: string;
  text: string;
  findings: Finding[];
}

export interface Report {
  tool: { name: string; version: string };
  rules: readonly RuleMeta[];
  files: ScannedFile[];
  skipped: Skipped[];
  configErrors: ConfigError[];
  failures: RuleFailure[];
  filesScanned: number;
  durationMs: number;
}

export interface LocatedFinding {
  finding: Finding;
  file: ScannedFile;
  start: Position;
  end: Position;
  lines: LineIndex;
}

/** Findings in a stable order (path, position, rule) with their line/character positions. */
export function locate(report: Report): LocatedFinding[] {
  const out: LocatedFinding[] = [];
  for (const file of [...report.files].sort((a, b) => a.displayPath.localeCompare(b.displayPath))) {
    if (file.findings.length === 0) continue;
    const lines = new LineIndex(file.text);
    for (const finding of file.findings) {
      out.push({ finding, file, start: lines.positionAt(finding.range.start), end: lines.positionAt(finding.range.end), lines });
    }
  }
  return out;
}

export function countBySeverity(findings: Iterable<Finding>): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export function allFindings(report: Report): Finding[] {
  return report.files.flatMap((f) => f.findings);
}

/** A line of source with a secret's part of it masked: the first four characters, then dots. */
export function redactLine(line: string, from: number, to: number): string {
  if (to <= from) return line;
  const secret = line.slice(from, to);
  return line.slice(0, from) + secret.slice(0, 4) + '•'.repeat(Math.max(0, secret.length - 4)) + line.slice(to);
}

/** One source line of a finding's code frame; `from`/`to` are the underlined characters of `text`. */
export interface FrameLine {
  /** 1-based line number. */
  number: number;
  /** The line as shown: a redacted finding's secret is masked. */
  text: string;
  from: number;
  to: number;
  /** Whether the line has something to underline (the first line always does). */
  underlined: boolean;
}

/** The lines a finding's code frame shows: its own, at most `maxLines` of a long span (`truncated` then). */
export function frameLines(item: LocatedFinding, maxLines = 5): { lines: FrameLine[]; truncated: boolean } {
  const { start, end, lines } = item;
  const last = Math.min(end.line, start.line + maxLines - 1);
  const out: FrameLine[] = [];
  for (let line = start.line; line <= last; line++) {
    const raw = lines.lineText(line);
    const text = item.finding.redact ? redactLine(raw, line === start.line ? start.character : 0, line === end.line ? end.character : raw.length) : raw;
    const from = line === start.line ? start.character : text.length - text.trimStart().length;
    const to = line === end.line ? end.character : text.length;
    out.push({ number: line + 1, text, from, to: Math.max(from, to), underlined: to > from || line === start.line });
  }
  return { lines: out, truncated: last < end.line };
}
