// Finding → LSP Diagnostic. Fixes travel in Diagnostic.data (already converted to LSP text
// edits), so code actions never re-analyze: they read what the diagnostic carries.
import { DiagnosticSeverity, type Diagnostic, type TextEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl } from '../engine/render/report';
import type { Finding, Severity } from '../engine/types';

export interface DiagnosticFix {
  title: string;
  applicability: 'safe' | 'unsafe';
  edits: TextEdit[];
}

export interface DiagnosticData {
  ruleId: string;
  fixes: DiagnosticFix[];
}

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

export function toDiagnostic(finding: Finding, document: TextDocument, uriOf: (path: string) => string): Diagnostic {
  const range = (start: number, end: number) => ({ start: document.positionAt(start), end: document.positionAt(end) });
  const data: DiagnosticData = {
    ruleId: finding.ruleId,
    fixes: finding.fixes.map((fix) => ({
      title: fix.title,
      applicability: fix.applicability,
      edits: fix.edits.map((e) => ({ range: range(e.start, e.end), newText: e.newText })),
    })),
  };
  return {
    range: range(finding.range.start, finding.range.end),
    severity: SEVERITY[finding.severity],
    code: finding.ruleId,
    codeDescription: { href: docsUrl({ id: finding.ruleId, group: finding.group }) },
    source: 'airlock',
    // Binary files have no lines to point at: the message says where in the bytes.
    message: finding.binary ? `${finding.message}${finding.binary.member ? ` [in ${finding.binary.member}]` : ''}` : finding.message,
    relatedInformation:
      finding.related.length + finding.flow.length > 0
        ? [
            ...finding.related.map((r) => ({ location: { uri: uriOf(r.path), range: range(r.range.start, r.range.end) }, message: r.message })),
            // The dataflow path, numbered so editors that sort related items still show its order.
            ...finding.flow.map((r, i) => ({ location: { uri: uriOf(r.path), range: range(r.range.start, r.range.end) }, message: `${i + 1}/${finding.flow.length} ${r.message}` })),
          ]
        : undefined,
    data,
  };
}
