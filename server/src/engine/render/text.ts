// Human-readable output, shaped like a compiler's: a headline, the location, a code frame with
// the finding underlined, then the fixes and the docs link. Lines and columns are 1-based.
import { allFindings, countBySeverity, docsUrl, frameLines, locate, type LocatedFinding, type Report } from './report';

const ANSI = { red: 31, yellow: 33, cyan: 36, blue: 34, dim: 2, bold: 1 } as const;
type Style = keyof typeof ANSI;

export interface TextOptions {
  color: boolean;
}

const SEVERITY_STYLE: Record<string, Style> = { error: 'red', warning: 'yellow', info: 'cyan' };

/** Tabs become spaces in frames so carets line up. */
function expandTabs(s: string): string {
  return s.replace(/\t/g, '    ');
}

function frame(item: LocatedFinding, paint: (s: string, style: Style) => string): string[] {
  const { lines, truncated } = frameLines(item);
  const width = String(lines[lines.length - 1].number).length;
  const gutter = (n?: number) => paint(`${n === undefined ? ''.padStart(width) : String(n).padStart(width)} |`, 'blue');
  const out = [gutter()];
  for (const line of lines) {
    out.push(`${gutter(line.number)} ${expandTabs(line.text)}`);
    if (line.underlined) {
      const pad = expandTabs(line.text.slice(0, line.from)).length;
      const len = Math.max(1, expandTabs(line.text.slice(line.from, line.to)).length);
      out.push(`${gutter()} ${' '.repeat(pad)}${paint('^'.repeat(len), SEVERITY_STYLE[item.finding.severity])}`);
    }
  }
  if (truncated) out.push(`${gutter()} ${paint('…', 'dim')}`);
  return out;
}

export function renderText(report: Report, options: TextOptions): string {
  const paint = (s: string, style: Style) => (options.color ? `\x1b[${ANSI[style]}m${s}\x1b[0m` : s);
  const metaById = new Map(report.rules.map((r) => [r.id, r]));
  const out: string[] = [];

  for (const error of report.configErrors) {
    out.push(`${paint('config error', 'red')}: ${error.file}${error.line ? `:${error.line}` : ''}${error.key ? ` [${error.key}]` : ''}: ${error.message} (using defaults for it)`);
  }
  if (report.configErrors.length > 0) out.push('');

  for (const item of locate(report)) {
    const f = item.finding;
    const meta = metaById.get(f.ruleId);
    out.push(`${paint(`${f.severity}[${f.ruleId}]`, SEVERITY_STYLE[f.severity])}: ${paint(f.message, 'bold')}`);
    if (f.binary) {
      // Model files have no lines: say where in the bytes, and what was found there.
      const b = f.binary;
      out.push(`${paint('  -->', 'blue')} ${item.file.displayPath}${b.member ? ` [${b.member}]` : ''} at byte ${b.offset}${b.opcode ? ` (${b.opcode})` : ''}`);
    } else {
      out.push(`${paint('  -->', 'blue')} ${item.file.displayPath}:${item.start.line + 1}:${item.start.character + 1}`);
      out.push(...frame(item, paint));
    }
    for (const step of f.related) out.push(`   ${paint('=', 'blue')} ${step.message}`);
    if (f.flow.length > 0) {
      out.push(`   ${paint('=', 'blue')} flow:`);
      f.flow.forEach((step, i) => {
        const at = item.lines.positionAt(step.range.start);
        out.push(`     ${i + 1}. ${paint(`${item.file.displayPath}:${at.line + 1}:${at.character + 1}`, 'dim')} ${step.message}`);
      });
    }
    for (const fix of f.fixes) out.push(`   ${paint('=', 'blue')} fix (${fix.applicability}): ${fix.title}`);
    if (meta) out.push(`   ${paint('=', 'blue')} ${paint(`confidence ${f.confidence}; docs: ${docsUrl(meta)}`, 'dim')}`);
    out.push('');
  }

  for (const s of report.skipped) out.push(`${paint('skipped', 'dim')} ${s.path}: ${s.reason}`);
  for (const failure of report.failures) out.push(`${paint('rule failure', 'red')} ${failure.ruleId} on ${failure.path}: ${failure.error.split('\n')[0]}`);
  if (report.skipped.length + report.failures.length > 0) out.push('');

  const findings = allFindings(report);
  const counts = countBySeverity(findings);
  const filesWithFindings = report.files.filter((f) => f.findings.length > 0).length;
  const seconds = (report.durationMs / 1000).toFixed(2);
  const summary =
    findings.length === 0
      ? `No problems found in ${report.filesScanned} files`
      : `Found ${findings.length} problem${findings.length === 1 ? '' : 's'} (${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} info) in ${filesWithFindings} of ${report.filesScanned} files`;
  out.push(`${paint(summary, 'bold')} in ${seconds}s${report.skipped.length ? `; ${report.skipped.length} skipped` : ''}.`);
  return out.join('\n') + '\n';
}
