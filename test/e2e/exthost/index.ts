// The extension's integration tests, run INSIDE a real VS Code extension host (code-server's),
// against the real language client and bundled server: bundled by run.sh with esbuild and passed
// to the workbench as `extensionTestsPath`. VS Code calls run(); a rejection fails the run.
// The workspace is a copy of examples/rag-assistant.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ScanWorkspaceResult } from '../../../server/src/protocol';

const EXTENSION_ID = 'airlock.airlock';

function folder(): vscode.Uri {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'the test workbench opens a folder');
  return f.uri;
}

function airlockDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'airlock');
}

function ruleId(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

/** Resolves when `test` holds for the Airlock diagnostics of `uri` (checked on every change). */
function waitForDiagnostics(uri: vscode.Uri, test: (ds: vscode.Diagnostic[]) => boolean, timeoutMs = 60_000): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const ds = airlockDiagnostics(uri);
      if (!test(ds)) return false;
      clearTimeout(timer);
      listener.dispose();
      resolve(ds);
      return true;
    };
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`timed out waiting for diagnostics on ${uri.fsPath}; have: ${airlockDiagnostics(uri).map(ruleId).join(', ') || 'none'}`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics(() => void check());
    check();
  });
}

const tests: [string, () => Promise<void>][] = [
  [
    'activates and contributes its commands, view and walkthrough',
    async () => {
      const extension = vscode.extensions.getExtension(EXTENSION_ID);
      assert.ok(extension, `${EXTENSION_ID} is installed`);
      await extension.activate();
      const commands = await vscode.commands.getCommands(true);
      for (const c of ['airlock.scanWorkspace', 'airlock.fixAllSafe', 'airlock.results.filter', 'airlock.results.focus']) assert.ok(commands.includes(c), `command ${c}`);
      const manifest = extension.packageJSON as { capabilities: { untrustedWorkspaces: { supported: string } }; contributes: { walkthroughs: { steps: unknown[] }[] } };
      assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
      assert.ok(manifest.contributes.walkthroughs[0].steps.length >= 3);
      // The status bar item's target: opening the view must work.
      await vscode.commands.executeCommand('airlock.results.focus');
    },
  ],
  [
    'publishes a diagnostic with the rule id and docs link for an opened Python file',
    async () => {
      const uri = vscode.Uri.joinPath(folder(), 'backend', 'api.py');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      const ds = await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'pickle-deserialization'));
      const pickle = ds.find((x) => ruleId(x) === 'pickle-deserialization')!;
      assert.equal(pickle.range.start.line, 18);
      assert.equal(pickle.severity, vscode.DiagnosticSeverity.Warning);
      assert.match(String((pickle.code as { target: vscode.Uri }).target), /pickle-deserialization\.md$/);
    },
  ],
  [
    'offers the safe quick fix through the code action provider; applying it clears the diagnostic',
    async () => {
      const uri = vscode.Uri.joinPath(folder(), 'backend', 'api.py');
      const [yaml] = await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'yaml-unsafe-load')).then((d) => d.filter((x) => ruleId(x) === 'yaml-unsafe-load'));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, yaml.range, vscode.CodeActionKind.QuickFix.value);
      // Unsafe fixes say so in their title; this one is safe.
      const fix = actions.find((a) => a.title === 'Use `yaml.SafeLoader`');
      assert.ok(fix?.edit, `the safe fix among: ${actions.map((a) => a.title).join(' | ')}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit));
      const document = await vscode.workspace.openTextDocument(uri);
      assert.match(document.lineAt(yaml.range.start.line).text, /SafeLoader/);
      await waitForDiagnostics(uri, (d) => !d.some((x) => ruleId(x) === 'yaml-unsafe-load') && d.some((x) => ruleId(x) === 'pickle-deserialization'));
      await document.save();
    },
  ],
  [
    'scans the workspace: findings for files never opened, a binary model file and an MCP config among them',
    async () => {
      const result = await vscode.commands.executeCommand<ScanWorkspaceResult>('airlock.scanWorkspace');
      assert.equal(result.cancelled, false);
      assert.ok(result.filesScanned >= 20 && result.findings >= 50, JSON.stringify(result));
      const torch = await waitForDiagnostics(vscode.Uri.joinPath(folder(), 'models', 'reranker.pt'), (d) => d.length > 0);
      assert.ok(torch.some((d) => ruleId(d) === 'malicious-pickle-global'), torch.map(ruleId).join(', '));
      const mcp = await waitForDiagnostics(vscode.Uri.joinPath(folder(), '.cursor', 'mcp.json'), (d) => d.length > 0);
      assert.ok(mcp.some((d) => ruleId(d) === 'mcp-insecure-transport'), mcp.map(ruleId).join(', '));
    },
  ],
  [
    'offers fix-all for a file as the source.fixAll.airlock action',
    async () => {
      const uri = vscode.Uri.joinPath(folder(), 'backend', 'chat.py');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      await waitForDiagnostics(uri, (d) => d.some((x) => ruleId(x) === 'llm-debug-logging'));
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll.airlock');
      const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.airlock');
      assert.ok(fixAll?.edit, actions.map((a) => a.title).join(' | '));
      assert.ok(await vscode.workspace.applyEdit(fixAll.edit));
      await waitForDiagnostics(uri, (d) => d.length > 0 && !d.some((x) => ruleId(x) === 'llm-debug-logging'));
    },
  ],
];

export async function run(): Promise<void> {
  const failed: string[] = [];
  for (const [name, fn] of tests) {
    const started = Date.now();
    try {
      await fn();
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed.push(name);
      console.error(`not ok - ${name}: ${(err as Error)?.stack ?? String(err)}`);
    }
  }
  console.log(`extension host tests: ${tests.length - failed.length} passed, ${failed.length} failed`);
  if (failed.length > 0) throw new Error(`${failed.length} extension host test(s) failed: ${failed.join('; ')}`);
}
