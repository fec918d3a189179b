// Language-server latency against the bundled server over stdio: cold start to the first
// diagnostics of a 2,000-line Python file, then 200 single-character edits, each timed from
// didChange to its publishDiagnostics; the server's RSS before the file is opened and after the edits.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { percentile, processMemory } from './measure';

const ROOT = join(__dirname, '..');

/** A realistic module of `lines` lines: the example app's Python files, repeated with renamed functions. */
export function syntheticPython(lines: number): string {
  const dir = join(ROOT, 'examples', 'rag-assistant', 'backend');
  const parts = ['api.py', 'train.py', 'rag.py', 'plugins.py', 'agent.py'].map((f) => readFileSync(join(dir, f), 'utf8'));
  const out: string[] = [];
  let count = 0;
  for (let i = 0; count < lines; i++) {
    const chunk = parts[i % parts.length].replace(/\bdef (\w+)/g, `def $1_${i}`).replace(/\bclass (\w+)/g, `class $1${i}`);
    out.push(chunk);
    count += chunk.split('\n').length;
  }
  return out.join('\n').split('\n').slice(0, lines).join('\n') + '\n';
}

export interface LspResult {
  lines: number;
  edits: number;
  coldStartToDiagnosticsMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  findings: number;
  rssBeforeMb?: number;
  rssAfterMb?: number;
  peakRssMb?: number;
}

export async function benchLsp(lineCount = 2000, editCount = 200): Promise<LspResult> {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let resolveNext: ((p: PublishDiagnosticsParams) => void) | undefined;
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => resolveNext?.(p));
  // debounceMs 0: the latency measured is the server's work, not the editor-friendly delay.
  // The classifier runs on the CPU, as in the scan measures.
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0, classifier: { device: 'cpu' } })));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('airlock/status', () => undefined);
  connection.listen();
  const next = () => new Promise<PublishDiagnosticsParams>((resolve) => (resolveNext = resolve));
  const started = performance.now();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  const before = processMemory(child.pid!);
  const uri = pathToFileURL(join(ROOT, 'bench-edit.py')).href;
  const lines = syntheticPython(lineCount).split('\n');
  const first = next();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: lines.join('\n') } });
  const findings = (await first).diagnostics.length;
  const coldMs = performance.now() - started;
  const latencies: number[] = [];
  for (let version = 2; version < editCount + 2; version++) {
    const line = (version * 37) % lines.length;
    const published = next();
    const t = performance.now();
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' }],
    });
    await published;
    latencies.push(performance.now() - t);
  }
  const after = processMemory(child.pid!);
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  child.kill();
  return {
    lines: lineCount,
    edits: latencies.length,
    coldStartToDiagnosticsMs: coldMs,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    findings,
    rssBeforeMb: before?.rssMb,
    rssAfterMb: after?.rssMb,
    peakRssMb: after?.hwmMb,
  };
}
