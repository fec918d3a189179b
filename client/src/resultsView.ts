// The Findings view: Airlock's diagnostics from every file (open or only scanned), grouped by
// severity → rule → file, with counts, a text filter, and "fix all safe fixes" with a preview.
// It reads what the language server published (vscode.languages.getDiagnostics); the fixes
// themselves come from the server, so the logic stays in the engine.
import * as vscode from 'vscode';
import type { LanguageClient, WorkspaceEdit } from 'vscode-languageclient/node';
import { WORKSPACE_SAFE_FIXES_REQUEST, type WorkspaceSafeFixesResult } from '../../server/src/protocol';

export const RESULTS_VIEW_ID = 'airlock.results';
const FILTERED_CONTEXT_KEY = 'airlock.results.filtered';
/** The `source` the server sets on every diagnostic (server/src/lsp/convert.ts). */
const DIAGNOSTIC_SOURCE = 'airlock';

type Severity = 'error' | 'warning' | 'info';
const SEVERITIES: { severity: Severity; label: string; icon: vscode.ThemeIcon }[] = [
  { severity: 'error', label: 'Errors', icon: new vscode.ThemeIcon('error', new vscode.ThemeColor('problemsErrorIcon.foreground')) },
  { severity: 'warning', label: 'Warnings', icon: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')) },
  { severity: 'info', label: 'Info', icon: new vscode.ThemeIcon('info', new vscode.ThemeColor('problemsInfoIcon.foreground')) },
];

interface Finding {
  uri: vscode.Uri;
  diagnostic: vscode.Diagnostic;
  ruleId: string;
  severity: Severity;
}

type Node =
  | { kind: 'severity'; severity: Severity; findings: Finding[] }
  | { kind: 'rule'; severity: Severity; ruleId: string; findings: Finding[] }
  | { kind: 'file'; severity: Severity; ruleId: string; uri: vscode.Uri; findings: Finding[] }
  | { kind: 'finding'; finding: Finding; index: number };

function severityOf(d: vscode.Diagnostic): Severity {
  return d.severity === vscode.DiagnosticSeverity.Error ? 'error' : d.severity === vscode.DiagnosticSeverity.Warning ? 'warning' : 'info';
}

/** The rule id: the diagnostic code (an object with the docs link as target when the server sends one). */
function ruleIdOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? 'unknown');
}

function groupBy<K, V>(items: V[], key: (v: V) => K): Map<K, V[]> {
  const groups = new Map<K, V[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

export class ResultsProvider implements vscode.TreeDataProvider<Node> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private findings: Finding[] = [];
  filter = '';

  /** Re-reads Airlock's diagnostics; returns the number shown after filtering and the total. */
  refresh(): { shown: number; total: number } {
    const all: Finding[] = [];
    for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
      for (const diagnostic of diagnostics) {
        if (diagnostic.source === DIAGNOSTIC_SOURCE) all.push({ uri, diagnostic, ruleId: ruleIdOf(diagnostic), severity: severityOf(diagnostic) });
      }
    }
    const needle = this.filter.toLowerCase();
    this.findings = needle
      ? all.filter((f) => f.ruleId.toLowerCase().includes(needle) || vscode.workspace.asRelativePath(f.uri).toLowerCase().includes(needle) || f.diagnostic.message.toLowerCase().includes(needle))
      : all;
    this.changed.fire();
    return { shown: this.findings.length, total: all.length };
  }

  getChildren(node?: Node): Node[] {
    if (!node) {
      const bySeverity = groupBy(this.findings, (f) => f.severity);
      return SEVERITIES.filter((s) => bySeverity.has(s.severity)).map((s) => ({ kind: 'severity', severity: s.severity, findings: bySeverity.get(s.severity)! }));
    }
    switch (node.kind) {
      case 'severity':
        return [...groupBy(node.findings, (f) => f.ruleId)]
          .sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))
          .map(([ruleId, findings]) => ({ kind: 'rule', severity: node.severity, ruleId, findings }));
      case 'rule':
        return [...groupBy(node.findings, (f) => f.uri.toString())]
          .map(([, findings]) => ({ kind: 'file' as const, severity: node.severity, ruleId: node.ruleId, uri: findings[0].uri, findings }))
          .sort((a, b) => vscode.workspace.asRelativePath(a.uri).localeCompare(vscode.workspace.asRelativePath(b.uri)));
      case 'file':
        return [...node.findings].sort((a, b) => a.diagnostic.range.start.compareTo(b.diagnostic.range.start)).map((finding, index) => ({ kind: 'finding', finding, index }));
      case 'finding':
        return [];
    }
  }

  getTreeItem(node: Node): vscode.TreeItem {
    const count = (n: number) => `${n} finding${n === 1 ? '' : 's'}`;
    switch (node.kind) {
      case 'severity': {
        const s = SEVERITIES.find((x) => x.severity === node.severity)!;
        const item = new vscode.TreeItem(s.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `severity/${node.severity}`;
        item.iconPath = s.icon;
        item.description = String(node.findings.length);
        item.tooltip = count(node.findings.length);
        return item;
      }
      case 'rule': {
        const item = new vscode.TreeItem(node.ruleId, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `rule/${node.severity}/${node.ruleId}`;
        item.iconPath = new vscode.ThemeIcon('law');
        const files = new Set(node.findings.map((f) => f.uri.toString())).size;
        item.description = `${node.findings.length} in ${files} file${files === 1 ? '' : 's'}`;
        item.tooltip = `${node.ruleId}: ${count(node.findings.length)}`;
        item.contextValue = 'rule';
        return item;
      }
      case 'file': {
        const item = new vscode.TreeItem(node.uri, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `file/${node.severity}/${node.ruleId}/${node.uri.toString()}`;
        item.iconPath = vscode.ThemeIcon.File;
        const folder = vscode.workspace.asRelativePath(node.uri).split('/').slice(0, -1).join('/');
        item.description = `${folder ? folder + ' · ' : ''}${node.findings.length}`;
        item.tooltip = `${vscode.workspace.asRelativePath(node.uri)}: ${count(node.findings.length)}`;
        return item;
      }
      case 'finding': {
        const { finding } = node;
        const start = finding.diagnostic.range.start;
        const item = new vscode.TreeItem(finding.diagnostic.message.split('\n')[0], vscode.TreeItemCollapsibleState.None);
        item.id = `finding/${finding.severity}/${finding.ruleId}/${finding.uri.toString()}#${start.line}:${start.character}:${node.index}`;
        item.description = `line ${start.line + 1}`;
        item.tooltip = new vscode.MarkdownString().appendText(finding.diagnostic.message).appendMarkdown(`\n\n\`${finding.ruleId}\` · ${vscode.workspace.asRelativePath(finding.uri)}:${start.line + 1}`);
        // Opens the file with the finding selected (a preview tab, like the Problems panel).
        item.command = { title: 'Reveal', command: 'vscode.open', arguments: [finding.uri, { selection: finding.diagnostic.range, preview: true } satisfies vscode.TextDocumentShowOptions] };
        return item;
      }
    }
  }
}

/** Asks the server for every safe fix in the workspace and applies them after the editor's preview. */
async function fixAllSafe(client: LanguageClient): Promise<void> {
  const result = await client.sendRequest<WorkspaceSafeFixesResult>(WORKSPACE_SAFE_FIXES_REQUEST);
  const stale = result.stale.length > 0 ? ` ${result.stale.length} file(s) changed since their findings were computed and were left out: save them or scan again.` : '';
  if (result.fixes === 0) {
    void vscode.window.showInformationMessage(`Airlock: no safe fixes to apply.${stale}`);
    return;
  }
  const edit = await client.protocol2CodeConverter.asWorkspaceEdit(result.edit as WorkspaceEdit);
  // Every change carries needsConfirmation, so VS Code opens the Refactor Preview first.
  const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
  // The preview lets the user untick changes, and applyEdit does not say which were kept.
  if (applied) void vscode.window.showInformationMessage(`Airlock: applied the safe fixes kept in the preview (${result.fixes} offered in ${result.files} file(s)).${stale}`);
  else if (stale) void vscode.window.showWarningMessage(`Airlock:${stale}`);
}

export function registerResultsView(context: vscode.ExtensionContext, client: LanguageClient): void {
  const provider = new ResultsProvider();
  const view = vscode.window.createTreeView(RESULTS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  let pending: NodeJS.Timeout | undefined;
  const update = () => {
    const { shown, total } = provider.refresh();
    view.badge = total > 0 ? { value: total, tooltip: `${total} Airlock finding${total === 1 ? '' : 's'}` } : undefined;
    view.description = provider.filter ? `${shown} of ${total} match "${provider.filter}"` : undefined;
    void vscode.commands.executeCommand('setContext', FILTERED_CONTEXT_KEY, provider.filter !== '');
  };
  const setFilter = (text: string) => {
    provider.filter = text.trim();
    update();
  };
  context.subscriptions.push(
    view,
    // A scan publishes one file at a time: redraw at most every 200 ms.
    vscode.languages.onDidChangeDiagnostics(() => {
      if (!pending) pending = setTimeout(() => ((pending = undefined), update()), 200);
    }),
    { dispose: () => clearTimeout(pending) },
    vscode.commands.registerCommand('airlock.results.filter', async () => {
      const text = await vscode.window.showInputBox({
        title: 'Filter Airlock findings',
        prompt: 'Show findings whose rule id, file path or message contains this text',
        value: provider.filter,
        placeHolder: 'e.g. pickle, backend/, mcp',
      });
      if (text !== undefined) setFilter(text);
    }),
    vscode.commands.registerCommand('airlock.results.clearFilter', () => setFilter('')),
    vscode.commands.registerCommand('airlock.fixAllSafe', () => fixAllSafe(client)),
  );
  update();
}
