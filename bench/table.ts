// The one table `npm run bench` prints: markdown, pasteable into the README, with the targets
// and whether this run met them.
import type { BenchResults } from './run';
import type { CorpusResult, Throughput } from './corpus-scan';

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : n >= 100 ? `${Math.round(n)} ms` : `${n.toFixed(1)} ms`);
const mb = (n: number) => `${Math.round(n)} MB`;
const x = (n: number) => `${n >= 10 ? n.toFixed(0) : n.toFixed(2)}×`;
const runs = (n: number) => (n === 1 ? '1 run' : `median of ${n}`);
const speed = (t: Throughput) => `${ms(t.medianMs)} (${runs(t.runs)}); ${int(t.filesPerS)} files/s, ${t.mbPerS.toFixed(2)} MB/s`;

interface Row {
  measure: string;
  result: string;
  target?: string;
  met?: boolean;
}

function corpusRows(r: CorpusResult, label: string): Row[] {
  const rows: Row[] = [];
  const cli = r.airlockCli;
  const coverage = `${int(cli.filesScanned)} of ${int(r.files)} files scanned, ${cli.skipped.length} skipped${cli.notListed.length ? `, ${cli.notListed.length} excluded by default (${[...new Set(cli.notListed.map((p) => p.split('/').slice(0, -1).join('/') || p))].slice(0, 3).join(', ')})` : ''}`;
  rows.push({ measure: `${label}: Airlock CLI (process)`, result: `${speed(cli)}; CPU ${ms(cli.cpuMedianMs)}; peak RSS ${mb(cli.peakRssMb)}; ${coverage}; ${int(cli.findings)} findings` });
  const inp = r.airlockInProcess;
  rows.push({ measure: `${label}: Airlock engine scan (in-process)`, result: `${speed(inp)}; ${int(inp.findings)} findings; ${int(inp.classifierTexts)} texts classified` });
  rows.push({ measure: `${label}: tree-sitter parse only (in-process, the floor)`, result: `${speed(r.parseOnly)}` });
  if (r.bandit) {
    if ('notInstalled' in r.bandit) rows.push({ measure: `${label}: Bandit (process)`, result: 'not installed (`apt-get install bandit`)' });
    else rows.push({ measure: `${label}: ${r.bandit.version}, all tests (process)`, result: `${speed(r.bandit)}; CPU ${ms(r.bandit.cpuMedianMs)}; peak RSS ${mb(r.bandit.peakRssMb)}; ${int(r.bandit.issues)} issues, ${r.bandit.errors} files it could not parse` });
  }
  if (r.ruff) rows.push({ measure: `${label}: Ruff ${r.ruff.version} WASM, S rules (in-process)`, result: `${speed(r.ruff)}; ${int(r.ruff.diagnostics)} diagnostics` });
  const q = r.ratios;
  if (q.banditOverAirlockCli !== undefined) {
    rows.push({ measure: `${label}: Bandit ÷ Airlock CLI (wall; CPU)`, result: `${x(q.banditOverAirlockCli)} faster; CPU ${x(q.banditOverAirlockCliCpu)}`, target: '≥ 20× faster (wall)', met: q.banditOverAirlockCli >= 20 });
  }
  if (q.airlockInProcessOverRuff !== undefined) {
    rows.push({ measure: `${label}: Airlock in-process ÷ Ruff-WASM`, result: x(q.airlockInProcessOverRuff), target: '≤ 1× (at least as fast)', met: q.airlockInProcessOverRuff <= 1 });
  }
  rows.push({ measure: `${label}: Airlock in-process ÷ parse only`, result: x(q.airlockInProcessOverParseOnly), target: '≤ 2×', met: q.airlockInProcessOverParseOnly <= 2 });
  return rows;
}

export function renderTable(r: BenchResults): string {
  const rows: Row[] = [];
  if (r.python) rows.push(...corpusRows(r.python, `Python stdlib (${int(r.python.files)} files, ${r.python.mb.toFixed(1)} MB)`));
  if (r.npm) rows.push(...corpusRows(r.npm, `npm CLI (${int(r.npm.files)} files, ${r.npm.mb.toFixed(1)} MB)`));
  if (r.lsp) {
    const l = r.lsp;
    rows.push({ measure: `LSP: cold start to first diagnostics (${int(l.lines)}-line Python file)`, result: `${ms(l.coldStartToDiagnosticsMs)}; ${l.findings} diagnostics` });
    rows.push({ measure: `LSP: edit → diagnostics, ${l.edits} single-character edits`, result: `p50 ${ms(l.p50Ms)}, p95 ${ms(l.p95Ms)}, p99 ${ms(l.p99Ms)}, max ${ms(l.maxMs)}`, target: 'p95 ≤ 50 ms', met: l.p95Ms <= 50 });
    if (l.rssBeforeMb !== undefined) rows.push({ measure: 'LSP: server RSS before open → after edits (peak)', result: `${mb(l.rssBeforeMb)} → ${mb(l.rssAfterMb!)} (${mb(l.peakRssMb!)})` });
  }
  if (r.workspace) {
    const w = r.workspace;
    const mix = Object.entries(w.byExtension).sort((a, b) => b[1] - a[1]).map(([ext, n]) => `${int(n)} ${ext}`).join(', ');
    rows.push({ measure: `Workspace scan, synthetic ${int(w.files)} files (${w.mb.toFixed(1)} MB: ${mix}), CLI`, result: `${ms(w.wallMedianMs)} (${runs(w.runs)}); ${int(w.filesPerS)} files/s; CPU ${ms(w.cpuMedianMs)}; ${int(w.filesScanned)} scanned, ${w.skipped} skipped, ${int(w.findings)} findings` });
    rows.push({ measure: 'Workspace scan: peak RSS', result: mb(w.peakRssMb), target: '≤ 300 MB', met: w.peakRssMb <= 300 });
  }
  if (r.classifier) {
    const c = r.classifier;
    if ('error' in c) rows.push({ measure: 'Classifier', result: `failed: ${c.error}` });
    else {
      rows.push({ measure: `Classifier (${c.model}, ${c.device.toUpperCase()}): batch 1 latency`, result: `p50 ${ms(c.batch1.p50Ms)}, p95 ${ms(c.batch1.p95Ms)} (${c.batch1.calls} calls); load ${ms(c.loadMs)}` });
      rows.push({ measure: 'Classifier: batch 64 throughput; memory', result: `${int(c.batch64.textsPerS)} texts/s (${int(c.batch64.windowsPerS)} windows/s); RSS ${mb(c.rssBeforeMb)} → ${mb(c.rssAfterMb)}` });
    }
  }
  if (r.modelFiles) {
    if ('error' in r.modelFiles) rows.push({ measure: 'Model-file readers', result: `failed: ${r.modelFiles.error}` });
    else for (const m of r.modelFiles) rows.push({ measure: `Model file: ${m.file} (${mb(m.sizeMb)})`, result: `${ms(m.ms)}; ${int(m.mbPerS)} MB/s of file; ${m.readMb.toFixed(1)} MB read; peak RSS ${mb(m.peakRssMb)}${m.skipped ? '; stopped at its byte budget' : ''}` });
  }
  const m = r.machine;
  const lines = [
    `Measured ${r.date.slice(0, 10)} (${r.mode}) on ${m.cpu}, ${m.cores} cores, ${m.ramGb} GB RAM, ${m.os}, Node ${m.node.replace(/^v/, '')}, ${m.python ?? 'no python3'}; load average ${m.loadAverageAtStart.join(' ')} at start${m.loadAverageAtEnd ? `, ${m.loadAverageAtEnd.join(' ')} at end` : ''}.`,
    ...(r.notes ?? []).map((note) => `Note: ${note}`),
    '',
    '| Measure | Result | Target |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| ${row.measure} | ${row.result} | ${row.target ? `${row.target}: **${row.met ? 'met' : 'missed'}**` : ''} |`),
  ];
  return lines.join('\n');
}
