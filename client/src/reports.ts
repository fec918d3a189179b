// "Airlock: Export Report" and "Airlock: Generate AI Bill of Materials": the server scans and
// renders; this file only asks where to save, writes the files and offers to open them.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EXPORT_REPORT_REQUEST, GENERATE_BOM_REQUEST, type ExportReportResult, type GenerateBomResult } from '../../server/src/protocol';

export const EXPORT_REPORT_COMMAND = 'airlock.exportReport';
export const GENERATE_BOM_COMMAND = 'airlock.generateBom';

/** `dir/name` in the first workspace folder (or the home of the save dialog when there is none). */
function suggested(name: string): vscode.Uri | undefined {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return folder && vscode.Uri.joinPath(folder, name);
}

/** The same file name with another extension: `report.html` → `report.sarif`. */
function withExtension(uri: vscode.Uri, extension: string): vscode.Uri {
  return uri.with({ path: uri.path.replace(/(\.[^./]*)?$/, extension) });
}

/** Runs a server request with a cancellable progress notification. */
function withScanProgress<T>(client: LanguageClient, title: string, method: string): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_progress, token) => client.sendRequest<T>(method, {}, token));
}

async function write(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

async function exportReport(client: LanguageClient): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    title: 'Airlock: export report (an .html page and a .sarif file beside it)',
    defaultUri: suggested('airlock-report.html'),
    filters: { 'HTML report': ['html'] },
    saveLabel: 'Export',
  });
  if (!target) return;
  const result = await withScanProgress<ExportReportResult>(client, 'Airlock: scanning the workspace for the report…', EXPORT_REPORT_REQUEST);
  if (result.cancelled) {
    void vscode.window.showInformationMessage('Airlock: report cancelled; nothing was written.');
    return;
  }
  const html = withExtension(target, '.html');
  const sarif = withExtension(target, '.sarif');
  await write(html, result.html);
  await write(sarif, result.sarif);
  const open = await vscode.window.showInformationMessage(
    `Airlock: report written (${result.findings} findings in ${result.filesScanned} files${result.skipped ? `, ${result.skipped} skipped` : ''}): ${vscode.workspace.asRelativePath(html)} and ${vscode.workspace.asRelativePath(sarif)}.`,
    'Open HTML Report',
  );
  if (open) await vscode.env.openExternal(html);
}

async function generateBom(client: LanguageClient): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    title: 'Airlock: save the AI bill of materials (CycloneDX 1.6 JSON)',
    defaultUri: suggested('airlock-bom.cdx.json'),
    filters: { 'CycloneDX JSON': ['json'] },
    saveLabel: 'Save',
  });
  if (!target) return;
  const result = await withScanProgress<GenerateBomResult>(client, 'Airlock: building the AI bill of materials…', GENERATE_BOM_REQUEST);
  if (result.cancelled) {
    void vscode.window.showInformationMessage('Airlock: bill of materials cancelled; nothing was written.');
    return;
  }
  await write(target, result.json);
  await vscode.window.showTextDocument(target);
  void vscode.window.showInformationMessage(`Airlock: AI bill of materials written: ${result.components} components, ${result.services} services, ${result.findings} findings.`);
}

export function registerReportCommands(context: vscode.ExtensionContext, client: LanguageClient): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPORT_REPORT_COMMAND, () => exportReport(client)),
    vscode.commands.registerCommand(GENERATE_BOM_COMMAND, () => generateBom(client)),
  );
}
