// SARIF 2.1.0 for code-scanning services. Written directly (no SDK) and validated against the
// official schema in a test. Columns are UTF-16 code units (SARIF's default columnKind).
import { RULE_DOCS } from '../../rules/docs.generated';
import { docsUrl, locate, PROJECT_URL, redactLine, type Report } from './report';
import type { Severity } from '../types';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
// GitHub code scanning ranks security results by this property (0.0–10.0).
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.5', info: '3.0' };

/** Converts a path to a URI reference relative to the working folder (forward slashes, escaped). */
function artifactUri(displayPath: string): string {
  return displayPath.split(/[\\/]/).map(encodeURIComponent).join('/');
}

export function renderSarif(report: Report): string {
  const rules = [...report.rules].sort((a, b) => a.id.localeCompare(b.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = locate(report).map(({ finding: f, file, start, end, lines }) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
    level: LEVEL[f.severity],
    message: { text: f.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: artifactUri(file.displayPath), uriBaseId: '%SRCROOT%' },
          // Binary (model) files are located by bytes; archive members are named in the message.
          region: f.binary
            ? { byteOffset: f.binary.member ? 0 : f.binary.offset, ...(f.binary.length !== undefined && !f.binary.member ? { byteLength: f.binary.length } : {}) }
            : {
                startLine: start.line + 1,
                startColumn: start.character + 1,
                endLine: end.line + 1,
                endColumn: end.character + 1,
                snippet: { text: f.redact ? redactLine(lines.lineText(start.line), start.character, start.line === end.line ? end.character : Infinity) : lines.lineText(start.line) },
              },
        },
      },
    ],
    properties: { group: f.group, confidence: f.confidence, ...(f.binary && { binary: f.binary }) },
    ...(f.flow.length > 0 && {
      codeFlows: [
        {
          threadFlows: [
            {
              locations: f.flow.map((step, index) => {
                const s = lines.positionAt(step.range.start);
                const e = lines.positionAt(step.range.end);
                return {
                  executionOrder: index + 1,
                  location: {
                    physicalLocation: {
                      artifactLocation: { uri: artifactUri(file.displayPath), uriBaseId: '%SRCROOT%' },
                      region: { startLine: s.line + 1, startColumn: s.character + 1, endLine: e.line + 1, endColumn: e.character + 1 },
                    },
                    message: { text: step.message },
                  },
                };
              }),
            },
          ],
        },
      ],
    }),
    ...(f.fixes.length > 0 && {
      fixes: f.fixes.map((fix) => ({
        description: { text: `${fix.title} (${fix.applicability})` },
        artifactChanges: [
          {
            artifactLocation: { uri: artifactUri(file.displayPath), uriBaseId: '%SRCROOT%' },
            replacements: fix.edits.map((e) => {
              const s = lines.positionAt(e.start);
              const en = lines.positionAt(e.end);
              return {
                deletedRegion: { startLine: s.line + 1, startColumn: s.character + 1, endLine: en.line + 1, endColumn: en.character + 1 },
                insertedContent: { text: e.newText },
              };
            }),
          },
        ],
      })),
    }),
  }));

  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: PROJECT_URL,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.title },
              help: { text: r.title, markdown: RULE_DOCS[r.id] ?? r.title },
              helpUri: docsUrl(r),
              defaultConfiguration: { level: LEVEL[r.severity], enabled: r.defaultEnabled ?? true },
              properties: {
                tags: ['security', 'ai', r.group, ...r.cwe.map((n) => `external/cwe/cwe-${n}`), ...r.owasp.map((o) => `owasp-llm/${o}`)],
                precision: r.confidence === 'high' ? 'high' : r.confidence === 'medium' ? 'medium' : 'low',
                'security-severity': SECURITY_SEVERITY[r.severity],
                group: r.group,
                status: r.status,
              },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: './' } },
        results,
        invocations: [
          {
            executionSuccessful: report.configErrors.length === 0 && report.failures.length === 0,
            toolExecutionNotifications: [
              ...report.skipped.map((s) => ({ level: 'note', message: { text: `skipped ${s.path}: ${s.reason}` } })),
              ...report.configErrors.map((e) => ({ level: 'error', message: { text: `config ${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}` } })),
              ...report.failures.map((f) => ({ level: 'error', message: { text: `rule ${f.ruleId} failed on ${f.path}: ${f.error.split('\n')[0]}` } })),
            ],
          },
        ],
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
