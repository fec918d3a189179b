// The VS Code side: start the bundled language server, forward commands to it, show status.
// Everything that analyzes lives in the server; this file only wires VS Code to it.
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import {
  RULE_DOC_REQUEST,
  SCAN_MODEL_FILE_COMMAND,
  SCAN_WORKSPACE_COMMAND,
  SHOW_DOCUMENTATION_COMMAND,
  STATUS_NOTIFICATION,
  WORKSPACE_TRUSTED_NOTIFICATION,
  type InitializationOptions,
  type RuleDocResult,
  type ScanModelFileResult,
  type ScanWorkspaceResult,
  type ShowDocumentationArgs,
  type StatusParams,
} from '../../server/src/protocol';
import { registerReportCommands } from './reports';
import { registerResultsView, RESULTS_VIEW_ID } from './resultsView';

// Code by language id; agent configs, prompts and rules files by name (their language ids vary:
// json, jsonc, yaml, toml, markdown, plaintext, dotenv…). The server decides what each file is.
const DOCUMENT_SELECTOR = [
  ...['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact'].flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]),
  { scheme: 'file', pattern: '**/*.{json,jsonc,json5,yaml,yml,toml,md,mdc,markdown,prompty,prompt,jinja,jinja2,j2,mustache,hbs}' },
  { scheme: 'file', pattern: '**/{.cursorrules,.windsurfrules,.clinerules,.env,.env.*}' },
];

const MODEL_EXTENSIONS = ['pkl', 'pickle', 'pt', 'pth', 'bin', 'ckpt', 'joblib', 'dill', 'npy', 'npz', 'keras', 'h5', 'hdf5', 'safetensors', 'gguf', 'onnx', 'pt2', 'mar'];

let client: LanguageClient | undefined;

async function scanModelFile(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Scan', title: 'Airlock: choose a model file to scan (it is read, never loaded)' });
  if (!client || !picked?.[0]) return;
  const result = await client.sendRequest(ExecuteCommandRequest.type, { command: SCAN_MODEL_FILE_COMMAND, arguments: [picked[0].fsPath] });
  const r = result as ScanModelFileResult | undefined;
  if (r) void vscode.window.showInformationMessage(`Airlock: ${r.path} (${r.format}): ${r.findings} findings${r.skipped ? `; ${r.skipped}` : ''}. See the Problems panel.`);
}

function describeScan(result: ScanWorkspaceResult): string {
  const head = result.cancelled ? 'Airlock scan cancelled' : 'Airlock scan finished';
  const skipped = result.skipped.length > 0 ? `, ${result.skipped.length} skipped (see Airlock output)` : '';
  const config = result.configErrors.length > 0 ? `; config errors: ${result.configErrors.join('; ')}` : '';
  return `${head}: ${result.findings} findings in ${result.filesWithFindings} of ${result.filesScanned} files${skipped} (${(result.durationMs / 1000).toFixed(1)} s)${config}`;
}

function createStatusBar(context: vscode.ExtensionContext): (status: StatusParams) => void {
  const item = vscode.window.createStatusBarItem('airlock.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Airlock';
  item.command = `${RESULTS_VIEW_ID}.focus`;
  item.text = '$(shield) Airlock';
  item.show();
  context.subscriptions.push(item);
  return (status) => {
    const busy = status.state === 'scanning' || status.state === 'analyzing' || status.state === 'starting';
    const icon = busy ? '$(sync~spin)' : status.state === 'error' ? '$(error)' : '$(shield)';
    item.text = `${icon} Airlock${status.findings > 0 ? ` ${status.findings}` : ''}`;
    item.tooltip = `Airlock: ${status.state}. ${status.counts.error} errors, ${status.counts.warning} warnings, ${status.counts.info} info.${status.classifier ? `\nInjection classifier: ${status.classifier}` : ''}${status.message ? `\n${status.message}` : ''}`;
    item.backgroundColor = status.counts.error > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  };
}

async function showDocumentation(args: ShowDocumentationArgs | undefined): Promise<void> {
  if (!client || !args?.ruleId) return;
  const doc = await client.sendRequest<RuleDocResult | null>(RULE_DOC_REQUEST, { ruleId: args.ruleId });
  if (!doc) {
    void vscode.window.showWarningMessage(`Airlock has no rule named ${args.ruleId}.`);
    return;
  }
  // The docs ship inside the server, so they open offline, in a Markdown preview.
  const document = await vscode.workspace.openTextDocument({ content: doc.markdown, language: 'markdown' });
  await vscode.commands.executeCommand('markdown.showPreview', document.uri);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    // In an untrusted workspace the server ignores the project's config files and .gitignore.
    initializationOptions: { trusted: vscode.workspace.isTrusted } satisfies InitializationOptions,
    synchronize: {
      // Project config files change what the server reports; model files are scanned when they appear or change;
      // deleted files and folders lose the findings a workspace scan gave them.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/{airlock.toml,pyproject.toml,package.json}'),
        vscode.workspace.createFileSystemWatcher(`**/*.{${MODEL_EXTENSIONS.join(',')}}`),
        vscode.workspace.createFileSystemWatcher('**/*', true, true, false),
      ],
    },
    middleware: {
      // The client registers the server's scan command itself; this wraps it to report the result.
      executeCommand: async (command, args, next) => {
        const result = await next(command, args);
        if (command === SCAN_WORKSPACE_COMMAND && result) void vscode.window.showInformationMessage(describeScan(result as ScanWorkspaceResult));
        return result;
      },
    },
  };
  client = new LanguageClient('airlock', 'Airlock', serverOptions, clientOptions);
  const updateStatus = createStatusBar(context);
  context.subscriptions.push(
    client.onNotification(STATUS_NOTIFICATION, (status: StatusParams) => updateStatus(status)),
    vscode.commands.registerCommand('airlock.showOutput', () => client?.outputChannel.show(true)),
    vscode.commands.registerCommand('airlock.scanModelFile', () => scanModelFile()),
    vscode.commands.registerCommand(SHOW_DOCUMENTATION_COMMAND, (args?: ShowDocumentationArgs) => showDocumentation(args)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client?.sendNotification(WORKSPACE_TRUSTED_NOTIFICATION)),
  );
  registerReportCommands(context, client);
  registerResultsView(context, client);
  try {
    await client.start();
  } catch (err) {
    updateStatus({ state: 'error', findings: 0, counts: { error: 0, warning: 0, info: 0 }, message: String(err) });
    void vscode.window.showErrorMessage(`Airlock's language server did not start: ${String(err)}`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
