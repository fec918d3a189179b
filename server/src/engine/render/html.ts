// One self-contained HTML page: inline CSS, an inline SVG chart, no external requests, readable
// without JavaScript (a small inline script only adds severity filters). Everything taken from
// the scan (messages, code, paths, rule output) is hostile text and goes through `escapeHtml`;
// a Content-Security-Policy allows only this page's own script, by hash, as a second line.
import { createHash } from 'node:crypto';
import { allFindings, countBySeverity, docsUrl, frameLines, locate, type LocatedFinding, type Report } from './report';
import { SEVERITIES, type Severity } from '../types';

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** Most severe first, for display. */
const BY_RANK: readonly Severity[] = [...SEVERITIES].reverse();
const COLOURS: Record<Severity, string> = { error: '#cf222e', warning: '#9a6700', info: '#0969da' };

const STYLE = `
:root { color-scheme: light dark; --fg: #1f2328; --muted: #59636e; --bg: #fff; --panel: #f6f8fa; --line: #d1d9e0; --mark: #ffebe9; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --bg: #0d1117; --panel: #151b23; --line: #3d444d; --mark: #5d1a1a; } }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 24px; max-width: 1100px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 32px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; margin: 12px 0; } th, td { border: 1px solid var(--line); padding: 4px 10px; text-align: right; } th:first-child, td:first-child { text-align: left; }
.sev { display: inline-block; min-width: 60px; text-align: center; border-radius: 10px; padding: 0 8px; color: #fff; font-size: 12px; font-weight: 600; }
.sev-error { background: ${COLOURS.error}; } .sev-warning { background: ${COLOURS.warning}; } .sev-info { background: ${COLOURS.info}; }
.finding { border: 1px solid var(--line); border-radius: 6px; margin: 12px 0; padding: 8px 12px; }
.finding h3 { font-size: 15px; margin: 4px 0; font-weight: 600; } .finding code.rule { font-size: 13px; }
.where { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
pre { background: var(--panel); border-radius: 6px; padding: 8px; overflow-x: auto; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre .ln { color: var(--muted); user-select: none; display: inline-block; min-width: 3em; }
pre mark { background: var(--mark); color: inherit; text-decoration: underline wavy ${COLOURS.error}; }
ol.flow, ul.notes { margin: 4px 0; padding-left: 24px; } .filters { border: 1px solid var(--line); border-radius: 6px; padding: 4px 12px; }
svg text { fill: var(--fg); font: 12px system-ui, sans-serif; }
`;

// Filtering by severity; the page is complete without it (the filter box stays hidden then).
const SCRIPT = `(() => {
  const boxes = [...document.querySelectorAll('input[data-severity-filter]')];
  const apply = () => {
    const shown = new Set(boxes.filter((b) => b.checked).map((b) => b.value));
    for (const f of document.querySelectorAll('.finding')) f.hidden = !shown.has(f.dataset.severity);
  };
  for (const b of boxes) b.addEventListener('change', apply);
  document.getElementById('filters').hidden = false;
})();`;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Findings per group and severity, groups sorted by name. */
function countByGroup(report: Report): [string, Record<Severity, number>][] {
  const groups = new Map<string, Record<Severity, number>>();
  for (const f of allFindings(report)) {
    let counts = groups.get(f.group);
    if (!counts) groups.set(f.group, (counts = { error: 0, warning: 0, info: 0 }));
    counts[f.severity]++;
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

/** A horizontal stacked bar per group (errors, warnings, info), scaled to the largest group. */
function chart(groups: [string, Record<Severity, number>][]): string {
  if (groups.length === 0) return '';
  const labelWidth = 170;
  const barWidth = 480;
  const rowHeight = 24;
  const max = Math.max(...groups.map(([, c]) => c.error + c.warning + c.info));
  const rows = groups.map(([group, counts], i) => {
    const y = i * rowHeight;
    let x = labelWidth;
    const bars = BY_RANK.filter((s) => counts[s] > 0).map((s) => {
      const width = Math.max(2, (counts[s] / max) * barWidth);
      const rect = `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="${COLOURS[s]}"><title>${escapeHtml(`${group}: ${plural(counts[s], s)}`)}</title></rect>`;
      x += width;
      return rect;
    });
    const total = counts.error + counts.warning + counts.info;
    return `<text x="0" y="${y + rowHeight / 2 + 4}">${escapeHtml(group)}</text>${bars.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + rowHeight / 2 + 4}">${total}</text>`;
  });
  const height = groups.length * rowHeight;
  return `<svg role="img" aria-label="Findings by group and severity" width="${labelWidth + barWidth + 50}" height="${height}" viewBox="0 0 ${labelWidth + barWidth + 50} ${height}" xmlns="http://www.w3.org/2000/svg">${rows.join('')}</svg>`;
}

function summaryTable(groups: [string, Record<Severity, number>][], totals: Record<Severity, number>): string {
  const head = `<tr><th>group</th>${BY_RANK.map((s) => `<th>${s}</th>`).join('')}<th>total</th></tr>`;
  const row = (name: string, c: Record<Severity, number>, tag: 'td' | 'th') =>
    `<tr><${tag}>${escapeHtml(name)}</${tag}>${BY_RANK.map((s) => `<${tag}>${c[s]}</${tag}>`).join('')}<${tag}>${c.error + c.warning + c.info}</${tag}></tr>`;
  return `<table class="summary">${head}${groups.map(([g, c]) => row(g, c, 'td')).join('')}${row('all groups', totals, 'th')}</table>`;
}

/** The finding's lines with the underlined part in <mark>. */
function codeFrame(item: LocatedFinding): string {
  const { lines, truncated } = frameLines(item);
  const body = lines.map((l) => {
    const text = l.underlined && l.to > l.from ? `${escapeHtml(l.text.slice(0, l.from))}<mark>${escapeHtml(l.text.slice(l.from, l.to))}</mark>${escapeHtml(l.text.slice(l.to))}` : escapeHtml(l.text);
    return `<span class="ln">${l.number}</span>${text}`;
  });
  if (truncated) body.push('<span class="ln"></span>…');
  return `<pre class="frame">${body.join('\n')}</pre>`;
}

function findingSection(item: LocatedFinding, index: number, metaById: Map<string, Report['rules'][number]>): string {
  const f = item.finding;
  const meta = metaById.get(f.ruleId);
  const where = f.binary
    ? `${item.file.displayPath}${f.binary.member ? ` [${f.binary.member}]` : ''} at byte ${f.binary.offset}${f.binary.opcode ? ` (${f.binary.opcode})` : ''}`
    : `${item.file.displayPath}:${item.start.line + 1}:${item.start.character + 1}`;
  const parts = [
    `<h3><span class="sev sev-${f.severity}">${f.severity}</span> <code class="rule">${escapeHtml(f.ruleId)}</code> ${escapeHtml(f.message)}</h3>`,
    `<div class="where">${escapeHtml(where)}</div>`,
  ];
  if (!f.binary) parts.push(codeFrame(item));
  if (f.related.length > 0) parts.push(`<ul class="notes">${f.related.map((r) => `<li>${escapeHtml(r.message)}</li>`).join('')}</ul>`);
  if (f.flow.length > 0) {
    const steps = f.flow.map((step) => {
      const at = item.lines.positionAt(step.range.start);
      return `<li><span class="where">${escapeHtml(`${item.file.displayPath}:${at.line + 1}:${at.character + 1}`)}</span> ${escapeHtml(step.message)}</li>`;
    });
    parts.push(`<div>Flow, from source to sink:</div><ol class="flow">${steps.join('')}</ol>`);
  }
  if (f.fixes.length > 0) parts.push(`<ul class="notes">${f.fixes.map((fix) => `<li>fix (${fix.applicability}): ${escapeHtml(fix.title)}</li>`).join('')}</ul>`);
  const cwe = meta?.cwe.map((n) => `CWE-${n}`).join(', ');
  const owasp = meta?.owasp.join(', ');
  parts.push(
    `<div class="muted">confidence ${f.confidence}${meta ? ` · ${escapeHtml(meta.group)}` : ''}${cwe ? ` · ${cwe}` : ''}${owasp ? ` · OWASP ${owasp}` : ''}${meta ? ` · <a href="${escapeHtml(docsUrl(meta))}">docs</a>` : ''}</div>`,
  );
  return `<section class="finding" id="finding-${index + 1}" data-severity="${f.severity}" data-group="${escapeHtml(f.group)}">${parts.join('\n')}</section>`;
}

export function renderHtml(report: Report): string {
  const metaById = new Map(report.rules.map((r) => [r.id, r]));
  const located = locate(report);
  const totals = countBySeverity(located.map((l) => l.finding));
  const groups = countByGroup(report);
  const filesWithFindings = report.files.filter((f) => f.findings.length > 0).length;
  const headline =
    located.length === 0
      ? `No problems found in ${plural(report.filesScanned, 'file')}`
      : `${plural(located.length, 'problem')} (${plural(totals.error, 'error')}, ${plural(totals.warning, 'warning')}, ${totals.info} info) in ${filesWithFindings} of ${plural(report.filesScanned, 'file')}`;
  const scriptHash = createHash('sha256').update(SCRIPT).digest('base64');
  const body: string[] = [
    `<h1>Airlock report</h1>`,
    `<p class="muted">${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)} · ${(report.durationMs / 1000).toFixed(2)} s${report.skipped.length ? ` · ${report.skipped.length} skipped` : ''}</p>`,
    `<p id="summary-line"><strong>${escapeHtml(headline)}</strong></p>`,
  ];
  if (located.length > 0) body.push(`<h2>Summary</h2>`, chart(groups), summaryTable(groups, totals));
  if (report.configErrors.length > 0) {
    body.push(`<h2>Config errors</h2><ul class="notes">${report.configErrors.map((e) => `<li>${escapeHtml(`${e.file}${e.line ? `:${e.line}` : ''}${e.key ? ` [${e.key}]` : ''}: ${e.message} (using defaults for it)`)}</li>`).join('')}</ul>`);
  }
  if (located.length > 0) {
    body.push(
      `<h2>Findings</h2>`,
      `<fieldset class="filters" id="filters" hidden><legend>Show</legend>${BY_RANK.map((s) => `<label><input type="checkbox" data-severity-filter value="${s}" checked> ${s} (${totals[s]})</label> `).join('')}</fieldset>`,
      ...located.map((item, i) => findingSection(item, i, metaById)),
    );
  }
  if (report.skipped.length > 0) body.push(`<h2>Skipped files</h2><ul class="notes" id="skipped">${report.skipped.map((s) => `<li><span class="where">${escapeHtml(s.path)}</span>: ${escapeHtml(s.reason)}</li>`).join('')}</ul>`);
  if (report.failures.length > 0) {
    body.push(`<h2>Rule failures</h2><ul class="notes">${report.failures.map((f) => `<li><code>${escapeHtml(f.ruleId)}</code> on <span class="where">${escapeHtml(f.path)}</span>: ${escapeHtml(f.error.split('\n')[0])}</li>`).join('')}</ul>`);
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${scriptHash}'">`,
    `<title>Airlock report: ${escapeHtml(headline)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
