// Drives the BUNDLED language server (dist/server.js) over stdio like an editor would:
// initialize → didOpen → diagnostics → codeAction → apply → diagnostics cleared → scan command.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { AnnotatedTextEdit, ChangeAnnotation, CodeAction, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  EXPORT_REPORT_REQUEST,
  GENERATE_BOM_REQUEST,
  SCAN_WORKSPACE_COMMAND,
  type ExportReportResult,
  type GenerateBomResult,
  WORKSPACE_SAFE_FIXES_REQUEST,
  type ScanWorkspaceResult,
  type WorkspaceSafeFixesResult,
} from '../../server/src/protocol';
import { startServer, type Client } from '../harness/lsp-client';

// Settings per resource: files under a folder named "quiet" turn the deserialization group off.
const settings = (scopeUri: string | undefined) => ({ enable: true, debounceMs: 5, rules: scopeUri?.includes('/quiet/') ? { deserialization: 'off' } : {} });

async function initialize(client: Client, workspace: string, initializationOptions?: unknown) {
  return (await client.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'ws' }],
    capabilities: { workspace: { configuration: true }, window: { workDoneProgress: true }, textDocument: { codeAction: { isPreferredSupport: true } } },
    initializationOptions,
  })) as { capabilities: { codeActionProvider: { codeActionKinds: string[] }; executeCommandProvider: { commands: string[] } } };
}

describe('language server over stdio', () => {
  let client: Client;
  let workspace: string;
  const vulnerable = 'import pickle as pk\n\ndef load(path):\n    with open(path, "rb") as fh:\n        return pk.load(fh)\n';

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'airlock-lsp-'));
    mkdirSync(join(workspace, 'src'));
    writeFileSync(join(workspace, 'src', 'never_opened.py'), 'import pickle\nobj = pickle.loads(open("x.bin", "rb").read())\n');
    writeFileSync(join(workspace, 'src', 'clean.py'), 'import json\nprint(json.loads("{}"))\n');
    copyFileSync(join(__dirname, '..', 'fixtures', 'model-files', 'files', 'os_system_reduce.pkl'), join(workspace, 'src', 'weights.bin'));
    client = startServer({ settings });
    const init = await initialize(client, workspace);
    assert.ok(init.capabilities.codeActionProvider.codeActionKinds.includes('source.fixAll.airlock'));
    assert.deepEqual(init.capabilities.executeCommandProvider.commands, [SCAN_WORKSPACE_COMMAND, 'airlock.server.scanModelFile']);
    await client.connection.sendNotification('initialized', {});
  });

  after(async () => {
    await client.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('publishes diagnostics on open, offers actions, and clears them after the edit', async () => {
    const uri = pathToFileURL(join(workspace, 'src', 'model.py')).href;
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: vulnerable } });
    const diags = await client.waitFor(uri, (d) => d.length > 0);
    assert.equal(diags.length, 1);
    const [d] = diags;
    assert.equal(d.code, 'pickle-deserialization');
    assert.equal(d.source, 'airlock');
    assert.deepEqual(d.range, { start: { line: 4, character: 15 }, end: { line: 4, character: 26 } });
    assert.match(d.codeDescription!.href, /pickle-deserialization\.md$/);

    const actions = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: diags },
    })) as CodeAction[];
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Ignore pickle-deserialization on this line'), titles.join(', '));
    assert.ok(titles.includes('Show documentation for pickle-deserialization'));
    const ignore = actions.find((a) => a.title.startsWith('Ignore'))!;
    const edits = ignore.edit!.changes![uri] as TextEdit[];

    // Apply the workspace edit the way an editor does: as incremental changes.
    let doc = TextDocument.create(uri, 'python', 1, vulnerable);
    doc = TextDocument.update(doc, edits.map((e) => ({ range: e.range, text: e.newText })), 2);
    assert.match(doc.getText(), /\n {8}# airlock: ignore\[pickle-deserialization\]\n {8}return pk\.load/);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })),
    });
    await client.waitFor(uri, (ds) => ds.length === 0);

    // Typing the call again (an incremental edit) brings the finding back.
    const insertAt = doc.positionAt(doc.getText().length);
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: insertAt, end: insertAt }, text: 'again = pk.loads(b"")\n' }],
    });
    const back = await client.waitFor(uri, (ds) => ds.length === 1);
    assert.equal(back[0].range.start.line, 6);
  });

  it('applies a safe quick fix and fix-all over LSP, and the diagnostic disappears', async () => {
    const uri = pathToFileURL(join(workspace, 'src', 'settings.py')).href;
    const text = 'import yaml\n\nwith open("settings.yml") as fh:\n    settings = yaml.load(fh)\nextra = yaml.load(open("extra.yml"))\n';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const diags = await client.waitFor(uri, (d) => d.length === 2);
    assert.ok(diags.every((d) => d.code === 'yaml-unsafe-load'));

    const actions = (await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: diags[0].range, context: { diagnostics: [diags[0]] } })) as CodeAction[];
    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix, `a preferred (safe) fix: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.kind, 'quickfix');
    const edits = fix.edit!.changes![uri] as TextEdit[];
    let doc = TextDocument.create(uri, 'python', 1, text);
    doc = TextDocument.update(doc, edits.map((e) => ({ range: e.range, text: e.newText })), 2);
    assert.match(doc.getText(), /settings = yaml\.safe_load\(fh\)/);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: edits.map((e) => ({ range: e.range, text: e.newText })) });
    const remaining = await client.waitFor(uri, (d) => d.length === 1);
    assert.equal(remaining[0].range.start.line, 4);

    // source.fixAll.airlock applies the remaining safe fix in one edit.
    const fixAll = (await client.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll.airlock'] },
    })) as CodeAction[];
    assert.equal(fixAll.length, 1);
    assert.equal(fixAll[0].kind, 'source.fixAll.airlock');
    const allEdits = fixAll[0].edit!.changes![uri] as TextEdit[];
    doc = TextDocument.update(doc, allEdits.map((e) => ({ range: e.range, text: e.newText })), 3);
    assert.doesNotMatch(doc.getText(), /yaml\.load\(/);
    await client.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: allEdits.map((e) => ({ range: e.range, text: e.newText })) });
    await client.waitFor(uri, (d) => d.length === 0);
  });

  it('shows the dataflow path of a taint finding as related information', async () => {
    const uri = pathToFileURL(join(workspace, 'src', 'agent.py')).href;
    const text = 'from openai import OpenAI\nclient = OpenAI()\n\ndef run(goal):\n    r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": goal}])\n    code = r.choices[0].message.content\n    return eval(code)\n';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const [d] = await client.waitFor(uri, (ds) => ds.length > 0);
    assert.equal(d.code, 'llm-output-to-code-exec');
    const related = d.relatedInformation ?? [];
    assert.ok(related.length >= 3, JSON.stringify(related));
    assert.match(related[0].message, /^1\/\d+ source: model output/);
    assert.equal(related[0].location.uri, uri);
    assert.equal(related[0].location.range.start.line, 4);
    assert.match(related[related.length - 1].message, /reaches the sink here$/);
  });

  it('reads settings per resource', async () => {
    const quiet = pathToFileURL(join(workspace, 'quiet', 'cache.py')).href;
    const loud = pathToFileURL(join(workspace, 'loud', 'cache.py')).href;
    const text = 'import pickle\nobj = pickle.loads(b"")\n';
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: loud, languageId: 'python', version: 1, text } });
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: quiet, languageId: 'python', version: 1, text } });
    assert.equal((await client.waitFor(loud, (d) => d.length > 0)).length, 1);
    assert.deepEqual(await client.waitFor(quiet, () => true), []);
  });

  it('scans a model file outside the workspace on request', async () => {
    const outside = join(tmpdir(), `airlock-model-${process.pid}.pkl`);
    copyFileSync(join(__dirname, '..', 'fixtures', 'model-files', 'files', 'builtins_exec.pkl'), outside);
    try {
      const result = (await client.connection.sendRequest('workspace/executeCommand', { command: 'airlock.server.scanModelFile', arguments: [outside] })) as { findings: number; format: string };
      assert.ok(result.findings >= 1, JSON.stringify(result));
      const diags = await client.waitFor(pathToFileURL(outside).href, (d) => d.length > 0);
      assert.equal(diags[0].code, 'malicious-pickle-global');
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it('scans the workspace with progress and publishes findings for files never opened', async () => {
    const result = (await client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] })) as ScanWorkspaceResult;
    assert.equal(result.cancelled, false);
    assert.ok(result.filesScanned >= 2, JSON.stringify(result));
    assert.equal(result.filesWithFindings, 2);
    // A model file found by its bytes (the .bin extension says nothing) gets diagnostics too.
    const model = await client.waitFor(pathToFileURL(join(workspace, 'src', 'weights.bin')).href, (d) => d.length > 0);
    assert.equal(model[0].code, 'malicious-pickle-global');
    assert.match(String(model[0].message), /os\.system/);
    const uri = pathToFileURL(join(workspace, 'src', 'never_opened.py')).href;
    const diags = await client.waitFor(uri, (d) => d.length > 0);
    assert.equal(diags[0].code, 'pickle-deserialization');
    const kinds = client.progress.map((p) => (p as { value: { kind: string } }).value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds[kinds.length - 1], 'end');
    assert.ok(client.statuses.some((s) => s.state === 'scanning'));
    assert.ok(client.statuses.at(-1)!.findings >= 1);
  });

  it('exports the workspace report as SARIF and HTML on request', async () => {
    const result = (await client.connection.sendRequest(EXPORT_REPORT_REQUEST, {})) as ExportReportResult;
    assert.equal(result.cancelled, false);
    assert.ok(result.filesScanned >= 3, JSON.stringify({ ...result, sarif: undefined, html: undefined }));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const sarif: any = JSON.parse(result.sarif);
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results as { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    assert.equal(results.length, result.findings);
    const pickle = results.find((r) => r.ruleId === 'pickle-deserialization' && r.locations[0].physicalLocation.artifactLocation.uri === 'src/never_opened.py');
    assert.ok(pickle, 'paths are relative to the workspace folder');
    assert.match(result.html, /^<!doctype html>/);
    assert.equal((result.html.match(/<section class="finding"/g) ?? []).length, result.findings);
    assert.match(result.html, /<div class="where">src\/weights\.bin at byte \d+/);
  });

  it('generates the AI bill of materials on request', async () => {
    const result = (await client.connection.sendRequest(GENERATE_BOM_REQUEST, {})) as GenerateBomResult;
    assert.equal(result.cancelled, false);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const bom: any = JSON.parse(result.json);
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.equal(result.components, bom.components.length);
    const weights = bom.components.find((c: { 'bom-ref': string }) => c['bom-ref'] === 'file:src/weights.bin');
    assert.ok(weights, JSON.stringify(bom.components.map((c: { 'bom-ref': string }) => c['bom-ref'])));
    assert.equal(weights.hashes[0].alg, 'SHA-256');
    assert.match(weights.hashes[0].content, /^[0-9a-f]{64}$/);
    assert.ok(weights.properties.some((p: { name: string; value: string }) => p.name === 'airlock:finding' && p.value.startsWith('malicious-pickle-global (error) at src/weights.bin')));
  });
  it('reads a scanned file again from disk when the editor closes it, instead of dropping its findings', async () => {
    const uri = pathToFileURL(join(workspace, 'src', 'never_opened.py')).href;
    await client.waitFor(uri, (d) => d.length === 1);
    // Fixed in the editor but not saved: live analysis shows nothing…
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: 'import json\n' } });
    await client.waitFor(uri, (d) => d.length === 0);
    // …closed without saving: the file on disk still has the finding.
    await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    const back = await client.waitFor(uri, (d) => d.length === 1);
    assert.equal(back[0].code, 'pickle-deserialization');
  });

  it('returns the safe fixes of every file as one edit that needs confirmation, leaving out files changed since the scan', async () => {
    const loader = join(workspace, 'src', 'config_loader.py');
    const text = 'import yaml\n\nwith open("a.yml") as fh:\n    a = yaml.load(fh)\n';
    writeFileSync(loader, text);
    await client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] });
    const uri = pathToFileURL(loader).href;
    await client.waitFor(uri, (d) => d.some((x) => x.code === 'yaml-unsafe-load'));

    const result = (await client.connection.sendRequest(WORKSPACE_SAFE_FIXES_REQUEST)) as WorkspaceSafeFixesResult;
    const changes = result.edit.documentChanges as TextDocumentEdit[];
    const change = changes.find((c) => c.textDocument.uri === uri);
    assert.ok(change, JSON.stringify(result));
    // Not open in the editor: no version to check against, the text was compared with the disk instead.
    assert.equal(change.textDocument.version, null);
    // Files with findings but no safe fix (never_opened.py: pickle) are not in the edit.
    assert.ok(!changes.some((c) => c.textDocument.uri.endsWith('never_opened.py')));
    assert.equal(result.files, changes.length);
    const edits = change.edits as AnnotatedTextEdit[];
    for (const e of edits) {
      const annotation = (result.edit.changeAnnotations as Record<string, ChangeAnnotation>)[e.annotationId];
      assert.equal(annotation.needsConfirmation, true);
      assert.equal(annotation.description, 'yaml-unsafe-load');
    }
    const fixed = TextDocument.applyEdits(TextDocument.create(uri, 'python', 0, readFileSync(loader, 'utf8')), edits);
    assert.match(fixed, /a = yaml\.safe_load\(fh\)/);

    // Edited on disk after the scan: its offsets no longer fit, so it is reported instead of fixed.
    writeFileSync(loader, '# a new first line\n' + text);
    const later = (await client.connection.sendRequest(WORKSPACE_SAFE_FIXES_REQUEST)) as WorkspaceSafeFixesResult;
    assert.deepEqual(later.stale, [uri]);
    assert.ok(!(later.edit.documentChanges as TextDocumentEdit[]).some((c) => c.textDocument.uri === uri));
  });
});

describe('language server in an untrusted workspace', () => {
  let workspace: string;

  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'airlock-trust-'));
    // A repository that tries to hide its own findings: a config turning the rule off, and a .gitignore.
    writeFileSync(join(workspace, 'airlock.toml'), '[rules]\npickle-deserialization = "off"\n');
    writeFileSync(join(workspace, '.gitignore'), 'hidden.py\n');
    for (const name of ['visible.py', 'hidden.py']) writeFileSync(join(workspace, name), 'import pickle\nobj = pickle.loads(open("x.bin", "rb").read())\n');
  });

  after(() => rmSync(workspace, { recursive: true, force: true }));

  for (const trusted of [false, true]) {
    it(`${trusted ? 'reads' : 'ignores'} the project's config file and .gitignore when the workspace is ${trusted ? '' : 'not '}trusted`, async () => {
      const client = startServer({ settings });
      try {
        await initialize(client, workspace, { trusted });
        await client.connection.sendNotification('initialized', {});
        const result = (await client.connection.sendRequest('workspace/executeCommand', { command: SCAN_WORKSPACE_COMMAND, arguments: [] })) as ScanWorkspaceResult;
        assert.equal(result.findings, trusted ? 0 : 2);
        if (!trusted) await client.waitFor(pathToFileURL(join(workspace, 'hidden.py')).href, (d) => d.length === 1);
        const uri = pathToFileURL(join(workspace, 'visible.py')).href;
        await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: readFileSync(join(workspace, 'visible.py'), 'utf8') } });
        const diags = await client.waitFor(uri, () => true);
        assert.equal(diags.length, trusted ? 0 : 1);
      } finally {
        await client.stop();
      }
    });
  }
});
