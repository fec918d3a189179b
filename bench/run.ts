// `npm run bench`: engine time on a 5,000-line Python file and edit → diagnostics latency over
// LSP against the bundled server. Medians over repeated runs: the machine is noisy.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { defaultConfig } from '../server/src/engine/config/config';
import { Engine } from '../server/src/engine/engine';

const ROOT = join(__dirname, '..');

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A realistic 5,000-line module: the example app's Python files, repeated with renamed functions. */
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

async function engineBench() {
  const engine = await Engine.create();
  const text = syntheticPython(5000);
  const config = defaultConfig();
  // The same run without the dataflow groups tells what the taint analysis costs.
  const withoutDataflow = { ...config, rules: { 'prompt-injection': 'off', 'output-handling': 'off' } as typeof config.rules };
  const parse: number[] = [];
  const total: number[] = [];
  const noTaint: number[] = [];
  let findings = 0;
  for (let i = 0; i < 12; i++) {
    let t = performance.now();
    const tree = engine.parse('python', text);
    parse.push(performance.now() - t);
    tree.delete();
    t = performance.now();
    findings = engine.analyzeText('bench.py', text, config).findings.length;
    total.push(performance.now() - t);
    t = performance.now();
    engine.analyzeText('bench.py', text, withoutDataflow);
    noTaint.push(performance.now() - t);
  }
  // The first runs warm up the JIT; report the median of the rest.
  return {
    lines: 5000,
    bytes: Buffer.byteLength(text),
    findings,
    parseMs: percentile(parse.slice(2), 50),
    parseAndAnalyzeMs: percentile(total.slice(2), 50),
    withoutDataflowMs: percentile(noTaint.slice(2), 50),
  };
}

async function lspBench() {
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  let resolveNext: ((p: PublishDiagnosticsParams) => void) | undefined;
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => resolveNext?.(p));
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({ debounceMs: 0 })));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('airlock/status', () => undefined);
  connection.listen();
  const next = () => new Promise<PublishDiagnosticsParams>((resolve) => (resolveNext = resolve));
  const started = performance.now();
  await connection.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders: null, capabilities: { workspace: { configuration: true } } });
  await connection.sendNotification('initialized', {});
  const uri = pathToFileURL(join(ROOT, 'bench-edit.py')).href;
  const lines = syntheticPython(2000).split('\n');
  const first = next();
  await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: lines.join('\n') } });
  await first;
  const coldMs = performance.now() - started;
  const latencies: number[] = [];
  for (let version = 2; version < 202; version++) {
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
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  connection.dispose();
  child.kill();
  return { coldStartToDiagnosticsMs: coldMs, edits: latencies.length, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
}

async function main() {
  const engine = await engineBench();
  const lsp = await lspBench();
  const fmt = (n: number) => n.toFixed(1);
  console.log(`engine: 5,000-line Python file (${engine.bytes} bytes, ${engine.findings} findings): parse ${fmt(engine.parseMs)} ms, parse + analysis ${fmt(engine.parseAndAnalyzeMs)} ms, of which dataflow rules ${fmt(engine.parseAndAnalyzeMs - engine.withoutDataflowMs)} ms (median of 10)`);
  console.log(`lsp: cold start to first diagnostics ${fmt(lsp.coldStartToDiagnosticsMs)} ms; ${lsp.edits} edits on a 2,000-line file, edit → diagnostics p50 ${fmt(lsp.p50)} ms, p95 ${fmt(lsp.p95)} ms, p99 ${fmt(lsp.p99)} ms`);
}

if (require.main === module) void main();
