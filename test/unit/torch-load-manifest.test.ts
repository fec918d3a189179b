// torch-load-without-weights-only reads the project's manifests: where they guarantee torch ≥ 2.6
// (whose torch.load defaults to weights_only=True), an omitted weights_only is only information.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Engine } from '../../server/src/engine/engine';
import type { Finding } from '../../server/src/engine/types';
import { sharedEngine } from '../harness/engine';
import { configForOnly } from '../harness/fixtures';

const RULE = 'torch-load-without-weights-only';
const SOURCE = [
  'import torch',
  '',
  'state = torch.load("model.pt", map_location="cpu")',
  'legacy = torch.load("legacy.pt", weights_only=None)',
  'unsafe = torch.load("optimizer.pt", weights_only=False)',
  'safe = torch.load("weights.pt", weights_only=True)',
  '',
].join('\n');

let engine: Engine;
const roots: string[] = [];
before(async () => {
  engine = await sharedEngine();
});
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A repository with the given manifests and `src/train.py`; returns the script's path. */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'airlock-torch-'));
  roots.push(root);
  mkdirSync(join(root, '.git'));
  mkdirSync(join(root, 'src'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  const script = join(root, 'src', 'train.py');
  writeFileSync(script, SOURCE);
  return script;
}

function analyze(path: string): Finding[] {
  const rule = engine.rules.find((r) => r.meta.id === RULE)!;
  const { findings, failures } = engine.analyzeText(path, SOURCE, configForOnly(rule, engine.rules));
  assert.deepEqual(failures, []);
  return findings;
}

/** severity/confidence of the three flagged calls, in order: omitted, None, False. */
function levels(findings: Finding[]): string[] {
  return findings.map((f) => `${f.severity}/${f.confidence}`);
}

describe(`${RULE} and the project's torch version`, () => {
  it('downgrades an omitted weights_only when requirements.txt pins torch >= 2.6, and says why', () => {
    const findings = analyze(repository({ 'requirements.txt': 'numpy==2.1.3\ntorch==2.6.0\n' }));
    assert.deepEqual(levels(findings), ['info/low', 'info/low', 'error/high']);
    assert.match(findings[0].message, /torch ≥ 2\.6 \(torch==2\.6\.0 in requirements\.txt:2\)/);
    assert.match(findings[0].message, /defaults to True/);
    assert.match(findings[2].message, /weights_only=False/);
    // The unsafe fix is still offered: an explicit weights_only=True survives a downgrade.
    assert.equal(findings[0].fixes.length, 1);
  });

  it('accepts a lower bound, a lock file, pyproject.toml and conda pins', () => {
    assert.deepEqual(levels(analyze(repository({ 'requirements.txt': 'torch>=2.6,<3\n' }))), ['info/low', 'info/low', 'error/high']);
    assert.deepEqual(levels(analyze(repository({ 'uv.lock': '[[package]]\nname = "torch"\nversion = "2.7.1"\n', 'requirements.txt': 'torch\n' }))), ['info/low', 'info/low', 'error/high']);
    assert.deepEqual(levels(analyze(repository({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.11"\ntorch = "^2.6"\n' }))), ['info/low', 'info/low', 'error/high']);
    assert.deepEqual(levels(analyze(repository({ 'environment.yml': 'dependencies:\n  - pytorch=2.6.0\n' }))), ['info/low', 'info/low', 'error/high']);
  });

  it('keeps the warning when torch is older, unbounded, or only allowed below 2.6', () => {
    for (const requirements of ['torch==2.4.1\n', 'torch\n', 'torch>=2.0\n', 'torch<2.6\n', 'torch==2.6.0rc1\n', 'numpy==2.1.3\n']) {
      assert.deepEqual(levels(analyze(repository({ 'requirements.txt': requirements }))), ['warning/medium', 'warning/medium', 'error/high'], requirements);
    }
    // A lock file that installs an older torch wins over a looser declaration next to it.
    assert.deepEqual(levels(analyze(repository({ 'poetry.lock': '[[package]]\nname = "torch"\nversion = "2.5.1"\n', 'pyproject.toml': '[project]\nname = "x"\ndependencies = ["torch>=2.0"]\n' }))), ['warning/medium', 'warning/medium', 'error/high']);
  });

  it('reads the manifests of a file named by a file:// URI (the language server)', () => {
    const script = repository({ 'requirements.txt': 'torch==2.6.0\n' });
    assert.deepEqual(levels(analyze(pathToFileURL(script).href)), ['info/low', 'info/low', 'error/high']);
  });

  it('treats untitled and relative documents as having no manifest', () => {
    assert.deepEqual(levels(analyze('untitled:Untitled-1.py')), ['warning/medium', 'warning/medium', 'error/high']);
    assert.deepEqual(levels(analyze('train.py')), ['warning/medium', 'warning/medium', 'error/high']);
  });
});
