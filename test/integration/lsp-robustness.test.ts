// The language server under hostile conditions, over stdio like an editor: 10,000 rapid edits,
// $/cancelRequest during a workspace scan, malformed config files, open files deleted on disk,
// and a rule that crashes. The server must stay up, stay responsive, and say what went wrong.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CancellationTokenSource, FileChangeType, MessageType, type Diagnostic } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RULE_DOC_REQUEST, SCAN_WORKSPACE_COMMAND, type ScanWorkspaceResult } from '../../server/src/protocol';
import { startServer, type Client } from '../harness/lsp-client';

const VULNERABLE = 'import pickle\nobj = pickle.loads(open("x.bin", "rb").read())\n';

function makeWorkspace(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-lsp-robust-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function initialize(client: Client, workspace: string): Promise<void> {
  await client.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'ws' }],
    capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: false } }, window: { workDoneProgress: true } },
  });
  await client.connection.sendNotification('initialized', {});
}

/** The server still answers requests (the rule-doc request touches no file). */
async function assertResponsive(client: Client): Promise<number> {
  const started = performance.now();
  const doc = (await client.connection.sendRequest(RULE_DOC_REQUEST, { ruleId: 'pickle-deserialization' })) as { markdown: string } | null;
  assert.match(doc?.markdown ?? '', /# pickle-deserialization/);
  return performance.now() - started;
}

/** What a diagnostic says, without the parts that depend on the document's URI. */
const summary = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`);

function rssBytes(pid: number): number | undefined {
  const status = `/proc/${pid}/status`;
  if (!existsSync(status)) return undefined;
  const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(status, 'utf8'))?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

describe('language server: rapid edits, broken config, deleted files', () => {
  let client: Client;
  let workspace: string;

  before(async () => {
    workspace = makeWorkspace({
      'src/never_opened.py': VULNERABLE,
      'src/doomed.py': VULNERABLE,
      'gone/inner/model.py': VULNERABLE,
      // A TOML syntax error on line 2 (unterminated string): defaults apply to broken/.
      'broken/airlock.toml': '[rules]\npickle-deserialization = "off\n',
      // A valid TOML file with a wrong value on line 3.
      'badvalue/airlock.toml': 'preview = false\n\ntime-budget-ms = "fast"\n',
    });
    client = startServer();
    await initialize(client, workspace);
  });

  after(async () => {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('survives 10,000 rapid incremental edits: stays responsive, bounded memory, final diagnostics equal a fresh analysis', async () => {
    const uri = pathToFileURL(join(workspace, 'src', 'edited.py')).href;
    let mirror = TextDocument.create(uri, 'python', 1, 'import pickle\nimport yaml\n\n');
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: mirror.getText() } });
    await client.waitFor(uri, () => true);
    const rssBefore = rssBytes(client.process.pid!);

    const snippets = ['pickle.loads(b)\n', 'yaml.load(f)\n', '(', ')', '[', '"', "'''", '\n', '    ', 'def f(x):\n    return x\n', '#', 'é', '', 'eval(r.choices[0].message.content)\n'];
    const edits = fc.sample(fc.record({ at: fc.nat(), length: fc.nat({ max: 13 }), insert: fc.constantFrom(...snippets) }), { seed: 20_241, numRuns: 10_000 });
    const started = performance.now();
    let version = 1;
    for (const edit of edits) {
      const text = mirror.getText();
      const start = edit.at % (text.length + 1);
      const end = Math.min(text.length, start + edit.length);
      const change = { range: { start: mirror.positionAt(start), end: mirror.positionAt(end) }, text: edit.insert };
      mirror = TextDocument.update(mirror, [change], ++version);
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    }
    // A last edit that makes sure there are findings to compare.
    const top = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import pickle\npickle.loads(b)\n\n' };
    mirror = TextDocument.update(mirror, [top], ++version);
    void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [top] });
    // Every edit is processed before this request is: its latency is the whole burst.
    await assertResponsive(client);
    const burstMs = performance.now() - started;
    const final = await client.waitFor(uri, (_, v) => v === version, 60_000);
    const rssAfter = rssBytes(client.process.pid!);
    // A later request is answered at once.
    assert.ok((await assertResponsive(client)) < 2_000);

    const freshUri = pathToFileURL(join(workspace, 'src', 'fresh.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: freshUri, languageId: 'python', version: 1, text: mirror.getText() } });
    const fresh = await client.waitFor(freshUri, (_, v) => v === 1);
    assert.ok(final.length > 0, 'the edits leave findings to compare');
    assert.deepEqual(summary(final), summary(fresh));
    // Trees are deleted when replaced: 10,000 re-parses must not keep 10,000 trees.
    if (rssBefore !== undefined && rssAfter !== undefined) assert.ok(rssAfter - rssBefore < 256 * 1024 * 1024, `RSS grew ${((rssAfter - rssBefore) / 1048576).toFixed(0)} MB`);
    process.stderr.write(`# 10,000 edits: burst answered after ${burstMs.toFixed(0)} ms; ${mirror.getText().length} chars, ${final.length} diagnostics; RSS ${((rssBefore ?? 0) / 1048576).toFixed(0)} → ${((rssAfter ?? 0) / 1048576).toFixed(0)} MB\n`);
    for (const u of [uri, freshUri]) await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
  });

  it('reports a malformed airlock.toml with its file and line once, and analyzes with defaults', async () => {
    const uri = pathToFileURL(join(workspace, 'broken', 'app.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: VULNERABLE } });
    // The broken file would have turned the rule off; the defaults keep it on.
    const diags = await client.waitFor(uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => d.code), ['pickle-deserialization']);
    for (let version = 2; version <= 4; version++) {
      await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '#\n' }] });
    }
    await client.waitFor(uri, (_, v) => v === 4);
    const warnings = client.logs.filter((l) => l.message.includes(join('broken', 'airlock.toml')));
    assert.equal(warnings.length, 1, `logged once, not per edit: ${JSON.stringify(warnings)}`);
    assert.equal(warnings[0].type, MessageType.Warning);
    assert.match(warnings[0].message, /broken\/airlock\.toml:2: cannot parse: .*\(using defaults for it\)/);

    const other = pathToFileURL(join(workspace, 'badvalue', 'app.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: other, languageId: 'python', version: 1, text: VULNERABLE } });
    assert.equal((await client.waitFor(other, (d) => d.length > 0)).length, 1);
    const wrong = client.logs.filter((l) => l.message.includes(join('badvalue', 'airlock.toml')));
    assert.equal(wrong.length, 1);
    assert.match(wrong[0].message, /badvalue\/airlock\.toml:3 \[time-budget-ms\]: must be a positive whole number of milliseconds/);
    for (const u of [uri, other]) await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: u } });
  });

  it('handles an open file deleted on disk, and clears scan findings of deleted files and folders', async () => {
    const result = (await client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] })) as ScanWorkspaceResult;
    assert.equal(result.cancelled, false);
    const doomed = pathToFileURL(join(workspace, 'src', 'doomed.py')).href;
    const neverOpened = pathToFileURL(join(workspace, 'src', 'never_opened.py')).href;
    const inFolder = pathToFileURL(join(workspace, 'gone', 'inner', 'model.py')).href;
    for (const u of [doomed, neverOpened, inFolder]) await client.waitFor(u, (d) => d.length === 1);

    // The open document is deleted on disk: its live diagnostics stay while it is open…
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: doomed, languageId: 'python', version: 1, text: VULNERABLE + 'x = 1\n' } });
    await client.waitFor(doomed, (_, v) => v === 1);
    rmSync(join(workspace, 'src', 'doomed.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: doomed, type: FileChangeType.Deleted }] });
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: doomed, version: 2 }, contentChanges: [{ text: VULNERABLE + VULNERABLE }] });
    assert.equal((await client.waitFor(doomed, (_, v) => v === 2)).length, 2);
    // …and go when the editor closes it (it has no file left to scan).
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: doomed } });
    await client.waitFor(doomed, (d) => d.length === 0);

    // Deleted files and folders that were never opened lose the findings the scan gave them.
    rmSync(join(workspace, 'src', 'never_opened.py'));
    rmSync(join(workspace, 'gone'), { recursive: true });
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: neverOpened, type: FileChangeType.Deleted },
        { uri: pathToFileURL(join(workspace, 'gone')).href, type: FileChangeType.Deleted },
      ],
    });
    await client.waitFor(neverOpened, (d) => d.length === 0);
    await client.waitFor(inFolder, (d) => d.length === 0);
    await assertResponsive(client);
    assert.ok(!client.logs.some((l) => l.type === MessageType.Error), JSON.stringify(client.logs.filter((l) => l.type === MessageType.Error)));
  });
});

describe('language server: $/cancelRequest during a workspace scan', () => {
  let client: Client;
  let workspace: string;
  const FILES = 1_500;

  before(async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++) files[`pkg/mod_${String(i).padStart(4, '0')}.py`] = VULNERABLE;
    workspace = makeWorkspace(files);
    client = startServer();
    await initialize(client, workspace);
  });

  after(async () => {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('stops the scan, answers with what it did, and keeps serving', async () => {
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] }, source.token) as Promise<ScanWorkspaceResult>;
    // Cancel once the scan is under way (progress is reported every 10 files).
    const reports = () => client.progress.filter((p) => (p as { value: { kind: string } }).value.kind === 'report').length;
    for (let waited = 0; reports() < 2 && waited < 30_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    source.cancel();
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.ok(result.filesScanned > 0 && result.filesScanned < FILES, `scanned ${result.filesScanned} of ${FILES}`);
    await assertResponsive(client);
    assert.equal(client.statuses.at(-1)?.state, 'ready');
  });
});

describe('language server: a rule that crashes', () => {
  let client: Client;
  let workspace: string;

  before(async () => {
    workspace = makeWorkspace({});
    // The server from source with a test-only rule that throws on every Python file.
    client = startServer({
      entry: join(__dirname, '..', 'harness', 'lsp-server.ts'),
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, AIRLOCK_EXTRA_RULES: join(__dirname, '..', 'harness', 'crashing-rule.ts') },
    });
    await initialize(client, workspace);
  });

  after(async () => {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('disables the rule for the file, logs the error once, and the other rules still report', async () => {
    const uri = pathToFileURL(join(workspace, 'crash.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: VULNERABLE } });
    const diags = await client.waitFor(uri, (d) => d.length > 0, 30_000);
    assert.deepEqual(diags.map((d) => d.code), ['pickle-deserialization']);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: VULNERABLE + VULNERABLE }] });
    assert.equal((await client.waitFor(uri, (_, v) => v === 2)).length, 2);
    const errors = client.logs.filter((l) => l.type === MessageType.Error);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0].message, new RegExp(`^rule crashing-rule failed on ${uri.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and was skipped for this file: Error: crashing-rule crashed on purpose`));
  });
});
