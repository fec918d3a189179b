// Stable JSON output (documented in docs/json-format.md). Lines and columns are 1-based;
// columns count UTF-16 code units, like LSP and SARIF's default. Adding fields is compatible;
// renaming or removing them bumps `version`.
import { allFindings, countBySeverity, docsUrl, locate, type Report } from './report';

export const JSON_FORMAT_VERSION = 1;

export function renderJson(report: Report): string {
  const metaById = new Map(report.rules.map((r) => [r.id, r]));
  const findings = locate(report).map(({ finding: f, file, start, end, lines }) => {
    const meta = metaById.get(f.ruleId);
    return {
      ruleId: f.ruleId,
      group: f.group,
      severity: f.severity,
      confidence: f.confidence,
      message: f.message,
      path: file.displayPath,
      start: { line: start.line + 1, column: start.character + 1 },
      end: { line: end.line + 1, column: end.character + 1 },
      cwe: meta?.cwe.map((n) => `CWE-${n}`) ?? [],
      owasp: meta?.owasp ?? [],
      docs: meta ? docsUrl(meta) : undefined,
      fixes: f.fixes.map((fix) => ({
        title: fix.title,
        applicability: fix.applicability,
        edits: fix.edits.map((e) => {
          const s = lines.positionAt(e.start);
          const en = lines.positionAt(e.end);
          return { start: { line: s.line + 1, column: s.character + 1 }, end: { line: en.line + 1, column: en.character + 1 }, newText: e.newText };
        }),
      })),
      binary: f.binary,
      related: f.related.map((r) => ({ path: r.path, message: r.message })),
      flow: f.flow.map((step) => {
        const at = lines.positionAt(step.range.start);
        return { path: file.displayPath, line: at.line + 1, column: at.character + 1, message: step.message };
      }),
    };
  });
  const counts = countBySeverity(allFindings(report));
  return (
    JSON.stringify(
      {
        version: JSON_FORMAT_VERSION,
        tool: report.tool,
        summary: { findings: findings.length, ...counts, filesScanned: report.filesScanned, skipped: report.skipped.length, durationMs: Math.round(report.durationMs) },
        findings,
        skipped: report.skipped,
        configErrors: report.configErrors,
        ruleFailures: report.failures.map((f) => ({ ruleId: f.ruleId, path: f.path, error: f.error.split('\n')[0] })),
      },
      null,
      2,
    ) + '\n'
  );
}
