// Inline suppressions and project configuration (files, validation errors, precedence).
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultConfig, findConfig, mergeConfig, ruleSetting } from '../../server/src/engine/config/config';
import { RULES } from '../../server/src/rules/index';
import { sharedEngine } from '../harness/engine';

const metas = RULES.map((r) => r.meta);
const pickleMeta = metas.find((m) => m.id === 'pickle-deserialization')!;
const tmp = mkdtempSync(join(tmpdir(), 'airlock-config-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('inline suppressions', () => {
  const code = (line: string) => `import pickle\n${line}\n`;
  const count = async (text: string) => (await sharedEngine()).analyzeText('s.py', text, defaultConfig()).findings.length;

  it('suppresses on the same line, the line before, by id, by group, and for the whole file', async () => {
    assert.equal(await count(code('pickle.loads(b)')), 1);
    assert.equal(await count(code('pickle.loads(b)  # airlock: ignore[pickle-deserialization] trusted cache')), 0);
    assert.equal(await count('import pickle\n# airlock: ignore[pickle-deserialization]\npickle.loads(b)\n'), 0);
    assert.equal(await count(code('pickle.loads(b)  # airlock: ignore[deserialization]')), 0);
    assert.equal(await count(code('pickle.loads(b)  # airlock: ignore')), 0);
    assert.equal(await count('# airlock: ignore-file[pickle-deserialization] fixtures\nimport pickle\npickle.loads(b)\n'), 0);
  });

  it('does not suppress other rules, other lines, or misspelled directives', async () => {
    assert.equal(await count(code('pickle.loads(b)  # airlock: ignore[yaml-unsafe-load]')), 1);
    assert.equal(await count('import pickle\n# airlock: ignore[pickle-deserialization]\n\npickle.loads(b)\n'), 1);
    assert.equal(await count(code('pickle.loads(b)  # airlock ignore[pickle-deserialization]')), 1);
  });
});

describe('config files', () => {
  it('reads airlock.toml with rule, group and severity settings', () => {
    const dir = join(tmp, 'toml');
    mkdirSync(dir);
    writeFileSync(join(dir, 'airlock.toml'), 'preview = true\nexclude = ["vendor/**"]\n[rules]\npickle-deserialization = "error"\n');
    const loaded = findConfig(dir, dir, metas);
    assert.deepEqual(loaded.errors, []);
    const config = mergeConfig(defaultConfig(), loaded.overrides);
    assert.equal(config.preview, true);
    assert.deepEqual(config.exclude, ['vendor/**']);
    assert.deepEqual(ruleSetting(config, pickleMeta), { enabled: true, severity: 'error' });
  });

  it('reads [tool.airlock] in pyproject.toml and "airlock" in package.json, walking up', () => {
    const py = join(tmp, 'py');
    mkdirSync(join(py, 'src', 'pkg'), { recursive: true });
    writeFileSync(join(py, 'pyproject.toml'), '[project]\nname = "x"\n[tool.airlock.rules]\ndeserialization = "off"\n');
    const fromPy = findConfig(join(py, 'src', 'pkg'), py, metas);
    assert.equal(ruleSetting(mergeConfig(defaultConfig(), fromPy.overrides), pickleMeta).enabled, false);

    const js = join(tmp, 'js');
    mkdirSync(js);
    writeFileSync(join(js, 'package.json'), JSON.stringify({ name: 'x', airlock: { rules: { 'pickle-deserialization': 'info' } } }));
    const fromJs = findConfig(js, js, metas);
    assert.equal(ruleSetting(mergeConfig(defaultConfig(), fromJs.overrides), pickleMeta).severity, 'info');
  });

  it('ignores pyproject.toml and package.json without an airlock section', () => {
    const dir = join(tmp, 'none');
    mkdirSync(dir);
    writeFileSync(join(dir, 'pyproject.toml'), '[project]\nname = "x"\n');
    const loaded = findConfig(dir, dir, metas);
    assert.equal(loaded.file, undefined);
    assert.deepEqual(loaded.overrides, {});
  });

  it('names the file, key and line of invalid settings, and keeps the valid ones', () => {
    const dir = join(tmp, 'bad');
    mkdirSync(dir);
    writeFileSync(join(dir, 'airlock.toml'), 'preview = "yes"\n\n[rules]\nno-such-rule = "off"\npickle-deserialization = "loud"\ndeserialization = "warning"\ncolour = 1\n');
    const loaded = findConfig(dir, dir, metas);
    const summary = loaded.errors.map((e) => `${e.line}:${e.key}:${e.message}`);
    assert.deepEqual(summary, [
      '1:preview:must be true or false',
      "4:rules.no-such-rule:unknown rule or group 'no-such-rule'",
      '5:rules.pickle-deserialization:must be one of "off", "on", "error", "warning", "info"',
      "7:rules.colour:unknown rule or group 'colour'",
    ]);
    assert.ok(loaded.errors.every((e) => e.file === join(dir, 'airlock.toml')));
    assert.deepEqual(loaded.overrides.rules, { deserialization: 'warning' });
  });

  it('reads time-budget-ms and rejects a budget that is not a positive whole number', () => {
    const dir = join(tmp, 'budget');
    mkdirSync(dir);
    writeFileSync(join(dir, 'airlock.toml'), 'time-budget-ms = 5000\n');
    assert.equal(mergeConfig(defaultConfig(), findConfig(dir, dir, metas).overrides).timeBudgetMs, 5000);
    writeFileSync(join(dir, 'airlock.toml'), '\ntime-budget-ms = -1\n');
    const bad = findConfig(dir, dir, metas);
    assert.deepEqual(bad.errors.map((e) => `${e.line}:${e.key}:${e.message}`), ['2:time-budget-ms:must be a positive whole number of milliseconds']);
    assert.equal(mergeConfig(defaultConfig(), bad.overrides).timeBudgetMs, defaultConfig().timeBudgetMs);
  });

  it('reports a TOML syntax error with its line and falls back to defaults', () => {
    const dir = join(tmp, 'syntax');
    mkdirSync(dir);
    writeFileSync(join(dir, 'airlock.toml'), '[rules]\npickle-deserialization = "off\n');
    const loaded = findConfig(dir, dir, metas);
    assert.equal(loaded.errors.length, 1);
    assert.equal(loaded.errors[0].line, 2);
    assert.match(loaded.errors[0].message, /cannot parse/);
    assert.deepEqual(loaded.overrides, {});
  });

  it('keeps preview rules off unless preview is on or the rule is named', () => {
    const preview = { ...pickleMeta, status: 'preview' as const };
    assert.equal(ruleSetting(defaultConfig(), preview).enabled, false);
    assert.equal(ruleSetting({ ...defaultConfig(), preview: true }, preview).enabled, true);
    assert.equal(ruleSetting({ ...defaultConfig(), rules: { [preview.id]: 'on' } }, preview).enabled, true);
  });
});
