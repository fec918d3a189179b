// The CLI as users run it: the bundled bin over the example project and over odd inputs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import { RULES } from '../../server/src/rules/index';

const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'airlock.js');
const EXAMPLE = join('examples', 'rag-assistant');
const tmp = mkdtempSync(join(tmpdir(), 'airlock-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

function airlock(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface JsonReport {
  version: number;
  summary: { findings: number; error: number; warning: number; info: number; filesScanned: number; skipped: number };
  findings: { ruleId: string; path: string; start: { line: number; column: number }; severity: string; fixes: unknown[]; cwe: string[]; flow: { line: number; message: string }[] }[];
  skipped: { path: string; reason: string }[];
  configErrors: { file: string; line?: number; message: string }[];
}

describe('airlock scan', () => {
  it('prints findings in the example project with compiler-style code frames and exits 1', () => {
    const r = airlock(['scan', EXAMPLE, '--no-color']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^error\[pickle-deserialization\]|^warning\[pickle-deserialization\]/m);
    assert.match(r.stdout, /--> examples\/rag-assistant\/backend\/api\.py:\d+:\d+/);
    assert.match(r.stdout, /\|\s+features = pickle\.loads\(body\)\n\s+\|\s+\^{18}/);
    assert.match(r.stdout, /Found \d+ problems/);
    assert.match(r.stdout, /= flow:\n\s+1\. examples\/rag-assistant\/backend\/agent\.py:\d+:\d+ source: model output/);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no ANSI colours with --no-color');
  });

  it('writes stable JSON with 1-based positions', () => {
    const r = airlock(['scan', EXAMPLE, '--format', 'json']);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as JsonReport;
    assert.equal(report.version, 1);
    assert.ok(report.summary.findings >= 6, `${report.summary.findings} findings`);
    assert.equal(report.summary.findings, report.findings.length);
    const pickle = report.findings.find((f) => f.ruleId === 'pickle-deserialization')!;
    assert.equal(pickle.path, 'examples/rag-assistant/backend/api.py');
    assert.deepEqual(pickle.start, { line: 19, column: 16 });
    assert.deepEqual(pickle.cwe, ['CWE-502']);
    // Dataflow findings carry their path, source first.
    const flow = report.findings.find((f) => f.ruleId === 'llm-output-to-code-exec')!.flow;
    assert.ok(flow.length >= 4, JSON.stringify(flow));
    assert.match(flow[0].message, /^source: model output/);
    assert.equal(flow[flow.length - 1].message, 'reaches the sink here');
    // Sorted by path, then position.
    const keys = report.findings.map((f) => `${f.path}:${String(f.start.line).padStart(5, '0')}`);
    assert.deepEqual(keys, [...keys].sort());
  });

  it('the example project shows every rule that is on by default', () => {
    const report = JSON.parse(airlock(['scan', EXAMPLE, '--format', 'json']).stdout) as JsonReport;
    const shown = new Set(report.findings.map((f) => f.ruleId));
    // Every source rule that is on by default, and every group (model-file rules: a few files show the group).
    const missing = RULES.filter((r) => r.meta.status === 'stable' && r.meta.defaultEnabled !== false && r.languages.length > 0 && !shown.has(r.meta.id)).map((r) => r.meta.id);
    assert.deepEqual(missing, [], 'add a realistic case for these rules to examples/rag-assistant');
    const groups = new Set(report.findings.map((f) => RULES.find((r) => r.meta.id === f.ruleId)?.meta.group));
    // Except 'analysis': its notice (analysis-time-budget) is only for files too slow to analyze (test/unit/engine.test.ts).
    const expected = [...new Set(RULES.map((r) => r.meta.group))].filter((g) => g !== 'analysis');
    assert.deepEqual(expected.filter((g) => !groups.has(g)), [], 'every rule group shows up in the example');
  });

  it('writes SARIF 2.1.0 that validates against the official schema', () => {
    const out = join(tmp, 'report.sarif');
    const r = airlock(['scan', EXAMPLE, '--format', 'sarif', '--output', out]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const sarif: any = JSON.parse(readFileSync(out, 'utf8'));
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    assert.equal(validate({ version: '2.1.0', runs: [{ results: [] }] }), false, 'the validator rejects a run without a tool');
    const valid = validate(structuredClone(sarif));
    assert.ok(valid, JSON.stringify(validate.errors?.slice(0, 5), null, 2));
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'pickle-deserialization');
    assert.ok(rule.helpUri.endsWith('pickle-deserialization.md'));
    assert.match(rule.help.markdown, /## Why is this bad\?/);
    assert.ok(rule.properties.tags.includes('external/cwe/cwe-502'));
    const result = run.results.find((x: { ruleId: string }) => x.ruleId === 'pickle-deserialization');
    assert.equal(result.properties.group, 'deserialization');
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'examples/rag-assistant/backend/api.py');
    assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'pickle-deserialization');
    const dataflow = run.results.find((x: { ruleId: string }) => x.ruleId === 'llm-output-to-code-exec');
    const steps = dataflow.codeFlows[0].threadFlows[0].locations;
    assert.ok(steps.length >= 4);
    assert.match(steps[0].location.message.text, /^source: model output/);
  });

  it('writes a self-contained HTML report with the same findings as the JSON one', () => {
    const out = join(tmp, 'report.html');
    const r = airlock(['scan', EXAMPLE, '--format', 'html', '--output', out]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    const html = readFileSync(out, 'utf8');
    const json = JSON.parse(airlock(['scan', EXAMPLE, '--format', 'json']).stdout) as JsonReport;
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/<section class="finding"/g) ?? []).length, json.summary.findings);
    assert.ok(html.includes(`<strong>${json.summary.findings} problems (${json.summary.error} errors, ${json.summary.warning} warnings, ${json.summary.info} info)`));
    assert.match(html, /<div class="where">examples\/rag-assistant\/backend\/api\.py:19:16<\/div>/);
    // The example's Slack token is a secret: masked in the page.
    assert.ok(!html.includes('xoxb-Xq7LmR2vT9pK4wN8sB3dF6hJ1cZ5yG0eWq7LmR2v'));
    assert.equal(airlock(['scan', EXAMPLE, '--format', 'html']).stdout.startsWith('<!doctype html>'), true, 'stdout without --output');
  });

  it('exits 0 on a clean folder and when findings are below --fail-on', () => {
    const clean = join(tmp, 'clean');
    mkdirSync(clean);
    writeFileSync(join(clean, 'ok.py'), 'import json\nprint(json.loads("{}"))\n');
    const r = airlock(['scan', clean]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /No problems found in 1 files/);

    const warnOnly = join(tmp, 'warn');
    mkdirSync(warnOnly);
    writeFileSync(join(warnOnly, 'm.py'), 'import marshal\nmarshal.loads(b"")\n');
    assert.equal(airlock(['scan', warnOnly, '--fail-on', 'error']).code, 0);
    assert.equal(airlock(['scan', warnOnly, '--fail-on', 'warning']).code, 1);
  });

  it('exits 2 on usage errors', () => {
    assert.equal(airlock(['scan', EXAMPLE, '--format', 'xml']).code, 2);
    assert.equal(airlock(['scan', EXAMPLE, '--fail-on', 'critical']).code, 2);
    assert.equal(airlock(['frobnicate']).code, 2);
    assert.equal(airlock(['--version']).code, 0);
  });

  it('keeps scanning through bad input and says what it skipped', () => {
    const dir = join(tmp, 'hostile');
    mkdirSync(dir);
    writeFileSync(join(dir, 'airlock.toml'), '[rules]\nno-such-rule = "off"\n');
    writeFileSync(join(dir, 'binary.py'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    writeFileSync(join(dir, 'latin1.py'), Buffer.concat([Buffer.from('import pickle\n# caf'), Buffer.from([0xe9]), Buffer.from('\npickle.loads(b"")\n')]));
    writeFileSync(join(dir, 'broken.py'), 'import pickle\ndef f(:\n    pickle.loads(b"")\n');
    writeFileSync(join(dir, 'huge.py'), 'x = 1\n'.repeat(400_000));
    writeFileSync(join(dir, '.gitignore'), 'ignored/\n');
    mkdirSync(join(dir, 'ignored'));
    writeFileSync(join(dir, 'ignored', 'secret.py'), 'import pickle\npickle.loads(b"")\n');
    const r = airlock(['scan', dir, '--format', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as JsonReport;
    const skipped = Object.fromEntries(report.skipped.map((s) => [s.path.split('/').pop(), s.reason]));
    assert.match(skipped['binary.py'], /binary/);
    assert.match(skipped['huge.py'], /too large/);
    assert.deepEqual(report.configErrors.map((e) => [e.line, e.message]), [[2, "unknown rule or group 'no-such-rule'"]]);
    const files = report.findings.map((f) => f.path.split('/').pop()).sort();
    assert.deepEqual(files, ['broken.py', 'latin1.py'], 'invalid UTF-8 and syntax errors are still analyzed; .gitignore is respected');
  });

  it('writes the AI bill of materials as CycloneDX 1.6 JSON', () => {
    const out = join(tmp, 'bom.json');
    const r = airlock(['bom', EXAMPLE, '--output', out, '--no-classifier']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const bom: any = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(bom.bomFormat, 'CycloneDX');
    assert.equal(bom.specVersion, '1.6');
    assert.match(bom.serialNumber, /^urn:uuid:[0-9a-f-]{36}$/);
    const refs = [...bom.components, ...bom.services].map((c: { 'bom-ref': string }) => c['bom-ref']);
    for (const ref of ['hf:model:acme-ai/rag-reranker@main', 'file:models/reranker.pt', 'pkg:pypi/transformers@4.45.2', 'llm:openai', 'mcp:.cursor/mcp.json#fetch']) assert.ok(refs.includes(ref), ref);
    const stdout = airlock(['bom', EXAMPLE, '--no-classifier']);
    assert.equal(stdout.code, 0);
    assert.deepEqual(JSON.parse(stdout.stdout).components.map((c: { 'bom-ref': string }) => c['bom-ref']), bom.components.map((c: { 'bom-ref': string }) => c['bom-ref']), 'the same components, in the same order, every run');
    assert.equal(airlock(['bom', EXAMPLE, '--device', 'tpu']).code, 2);
  });

  it('lists its rules', () => {
    const r = airlock(['rules']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^pickle-deserialization\s+deserialization\s+warning/m);
  });
});
