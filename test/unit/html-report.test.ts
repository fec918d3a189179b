// The HTML report: one self-contained page, everything from the scan escaped, secrets masked,
// and the same findings and counts as the JSON renderer.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { defaultConfig } from '../../server/src/engine/config/config';
import { escapeHtml, renderHtml } from '../../server/src/engine/render/html';
import { renderJson } from '../../server/src/engine/render/json';
import type { Report, ScannedFile } from '../../server/src/engine/render/report';
import { sharedEngine } from '../harness/engine';

const HOSTILE_CODE = [
  'import pickle',
  'from openai import OpenAI',
  '',
  'client = OpenAI()',
  'payload = pickle.loads(open("x.bin", "rb").read())  # </pre><script>alert("code")</script>',
  'answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}]).choices[0].message.content',
  'eval(answer)',
  'HF_TOKEN = "hf_AirlockFixtureTokenForTestsOnlyXyz"',
  '',
].join('\n');

async function hostileReport(): Promise<Report> {
  const engine = await sharedEngine();
  const config = defaultConfig();
  const file = (displayPath: string, text: string): ScannedFile => ({ path: `/project/${displayPath}`, displayPath, text, findings: engine.analyzeText(`/project/${displayPath}`, text, config).findings });
  const app = file('src/app.py', HOSTILE_CODE);
  // A message and a path as hostile as rule output could ever be.
  const evil = file('src/<img src=x onerror=alert(1)>.py', 'import marshal\nmarshal.loads(b"")\n');
  evil.findings = evil.findings.map((f) => ({ ...f, message: `${f.message} <script>alert("message")</script>` }));
  return {
    tool: { name: 'airlock', version: '0.0.0-test' },
    rules: engine.rules.map((r) => r.meta),
    files: [app, evil],
    skipped: [{ path: 'big/<b>huge</b>.py', reason: 'too large: 9 bytes (max-file-size is 1)' }],
    configErrors: [{ file: 'airlock.toml', line: 2, message: "unknown rule or group '<x>'" }],
    failures: [],
    filesScanned: 3,
    durationMs: 12,
  };
}

/** The text of the page outside the one script this renderer writes. */
function withoutOwnScript(html: string): string {
  return html.replace(/<script>\(\(\) => \{[\s\S]*?\}\)\(\);<\/script>/, '');
}

describe('HTML report', () => {
  it('escapes everything that comes from the scan: code, messages, paths, reasons', async () => {
    const html = renderHtml(await hostileReport());
    const rest = withoutOwnScript(html);
    assert.doesNotMatch(rest, /<script/i, 'no script element but the renderer\'s own');
    assert.doesNotMatch(html, /<img/i);
    assert.match(html, /&lt;\/pre&gt;&lt;script&gt;alert\(&quot;code&quot;\)&lt;\/script&gt;/, 'code is shown, escaped');
    assert.match(html, /&lt;script&gt;alert\(&quot;message&quot;\)&lt;\/script&gt;/, 'messages are shown, escaped');
    assert.match(html, /src\/&lt;img src=x onerror=alert\(1\)&gt;\.py:2:1/);
    assert.match(html, /big\/&lt;b&gt;huge&lt;\/b&gt;\.py/);
    assert.match(html, /unknown rule or group &#39;&lt;x&gt;&#39;/);
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('is self-contained: no external resources, only its own script allowed by hash', async () => {
    const html = renderHtml(await hostileReport());
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /<(link|img|iframe|object|embed)\b/i);
    assert.doesNotMatch(html, /<[^>]*\ssrc=/i);
    assert.doesNotMatch(html, /url\(/i);
    // The only links are the rules' docs.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    assert.ok(hrefs.length > 0);
    for (const href of hrefs) assert.match(href, /^https:\/\/github\.com\/airlock-scanner\/airlock\/blob\/main\/server\/src\/rules\/[\w-]+\/[\w-]+\.md$/);
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
    const hash = createHash('sha256').update(script).digest('base64');
    assert.ok(html.includes(`script-src 'sha256-${hash}'`), 'the CSP names the hash of the page\'s script');
    assert.match(html, /default-src 'none'/);
    // Without JavaScript the filters stay hidden and every finding is shown.
    assert.match(html, /<fieldset class="filters" id="filters" hidden>/);
    assert.doesNotMatch(html, /<section class="finding"[^>]* hidden/);
  });

  it('masks secrets in code frames the way the text renderer does', async () => {
    const report = await hostileReport();
    const key = report.files[0].findings.find((f) => f.ruleId === 'hardcoded-ai-api-key');
    assert.ok(key, 'the fixture has a hard-coded key finding');
    const html = renderHtml(report);
    assert.ok(!html.includes('hf_AirlockFixtureTokenForTestsOnlyXyz'), 'the secret never appears whole');
    assert.match(html, /<mark>hf_A•+<\/mark>/);
  });

  it('lists the same findings, in the same order, with the same counts as the JSON report', async () => {
    const report = await hostileReport();
    const html = renderHtml(report);
    const json = JSON.parse(renderJson(report)) as { summary: { findings: number; error: number; warning: number; info: number }; findings: { ruleId: string; severity: string; path: string; start: { line: number; column: number } }[] };
    const sections = [...html.matchAll(/<section class="finding" id="finding-(\d+)" data-severity="(\w+)"[^>]*><h3>.*?<code class="rule">([\w-]+)<\/code>.*\n<div class="where">([^<]*)<\/div>/g)];
    assert.equal(sections.length, json.summary.findings);
    assert.deepEqual(
      sections.map((m) => [m[3], m[2], m[4]]),
      json.findings.map((f) => [f.ruleId, f.severity, escapeHtml(`${f.path}:${f.start.line}:${f.start.column}`)]),
    );
    const totals = /<tr><th>all groups<\/th><th>(\d+)<\/th><th>(\d+)<\/th><th>(\d+)<\/th><th>(\d+)<\/th><\/tr>/.exec(html);
    assert.ok(totals, 'the summary table has a totals row');
    assert.deepEqual(totals.slice(1).map(Number), [json.summary.error, json.summary.warning, json.summary.info, json.summary.findings]);
    // One bar row per group in the chart, one table row per group.
    const groups = new Set(json.findings.map((f) => report.files.flatMap((x) => x.findings).find((x) => x.ruleId === f.ruleId)!.group));
    assert.equal((html.match(/<tr><td>/g) ?? []).length, groups.size);
    assert.ok(html.includes('<svg role="img" aria-label="Findings by group and severity"'));
    for (const g of groups) assert.match(html, new RegExp(`<text x="0" y="\\d+">${g}</text>`));
  });

  it('shows dataflow steps, fixes, docs links and skipped files', async () => {
    const html = renderHtml(await hostileReport());
    const exec = /<section class="finding"[^>]*><h3>.*?llm-output-to-code-exec[\s\S]*?<\/section>/.exec(html);
    assert.ok(exec, 'the eval of model output is reported');
    assert.match(exec[0], /<ol class="flow"><li><span class="where">src\/app\.py:6:\d+<\/span> source: model output/);
    assert.match(exec[0], /href="https:\/\/github\.com\/airlock-scanner\/airlock\/blob\/main\/server\/src\/rules\/[\w-]+\/llm-output-to-code-exec\.md"/);
    assert.match(html, /<ul class="notes" id="skipped"><li>/);
    assert.match(html, /<mark>pickle\.loads\(open\(&quot;x\.bin&quot;, &quot;rb&quot;\)\.read\(\)\)<\/mark>/);
  });

  it('says so when there is nothing to report', async () => {
    const engine = await sharedEngine();
    const html = renderHtml({ tool: { name: 'airlock', version: '1' }, rules: engine.rules.map((r) => r.meta), files: [], skipped: [], configErrors: [], failures: [], filesScanned: 4, durationMs: 1 });
    assert.match(html, /<strong>No problems found in 4 files<\/strong>/);
    assert.doesNotMatch(html, /<section class="finding"/);
  });
});
