// The shipped classifier: the TypeScript tokenizer matches the Python one exactly, the ONNX model
// in Node matches PyTorch's scores, and the quality gates hold on the dev set (when ../shared is
// present) and on our held-out benign templates.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Classifier } from '../../server/src/classifier/index';
import { loadModel } from '../../server/src/classifier/model';
import { encode, windows } from '../../server/src/classifier/tokenizer';

const ROOT = join(__dirname, '..', '..');
const MODELS = join(ROOT, 'models');
const DEV = join(ROOT, '..', 'shared', 'datasets', 'prompt-injection', 'dev.jsonl');
const HARD = join(ROOT, 'training', 'hard_examples.jsonl');

interface GoldenCase {
  text: string;
  ids: number[];
  window_starts: number[];
  window_scores: number[];
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

/** ROC-AUC by the rank statistic (ties counted half). */
function rocAuc(labels: number[], scores: number[]): number {
  const pairs = scores.map((s, i) => [s, labels[i]] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < pairs.length; ) {
    let j = i;
    while (j < pairs.length && pairs[j][0] === pairs[i][0]) j++;
    const rank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (pairs[k][1] === 1) (rankSum += rank), positives++;
    i = j;
  }
  const negatives = pairs.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

function tprAtFpr(labels: number[], scores: number[], fpr: number): number {
  const negatives = scores.filter((_, i) => labels[i] === 0).sort((a, b) => b - a);
  const threshold = negatives[Math.floor(fpr * negatives.length)] ?? 0;
  const positives = scores.filter((_, i) => labels[i] === 1);
  return positives.filter((s) => s > threshold).length / positives.length;
}

const hasModel = existsSync(join(MODELS, 'model.json'));

describe('classifier', { skip: !hasModel && 'no models/model.json (run npm run train)' }, () => {
  const golden = hasModel ? (JSON.parse(readFileSync(join(MODELS, 'golden.json'), 'utf8')) as { cases: GoldenCase[] }) : { cases: [] };
  let classifier: Classifier;
  before(() => {
    classifier = new Classifier({ device: 'cpu' });
  });
  after(async () => {
    await classifier.dispose();
  });

  it('tokenizes exactly like the Python spec (golden vectors)', () => {
    for (const c of golden.cases) {
      const e = encode(c.text);
      assert.deepEqual(Array.from(e.ids), c.ids, JSON.stringify(c.text.slice(0, 40)));
      assert.deepEqual(
        windows(e.ids).map((w) => w.start),
        c.window_starts,
      );
    }
  });

  it('loads a model whose sha256 matches model.json', () => {
    const { info } = loadModel(MODELS);
    assert.ok(info.threshold > 0 && info.threshold < 1);
  });

  it('scores like PyTorch did at training time (to 1e-4), and reports the top window', async () => {
    for (const c of golden.cases) {
      const [result] = await classifier.score([c.text]);
      assert.equal(classifier.status.state, 'ready', classifier.status.detail);
      assert.ok(result);
      const expected = Math.max(...c.window_scores);
      assert.ok(Math.abs(result.score - expected) < 1e-4, `${result.score} vs ${expected} for ${JSON.stringify(c.text.slice(0, 40))}`);
      assert.ok(result.window.start >= 0 && result.window.end <= c.text.replace(/\r\n/g, '\n').length);
    }
  });

  it('keeps our held-out benign templates below the threshold', async () => {
    const rows = readJsonl<{ text: string; label: number }>(HARD).filter((r) => r.label === 0);
    const results = await classifier.score(rows.map((r) => r.text));
    const above = rows.filter((_, i) => (results[i]?.score ?? 0) >= classifier.threshold!);
    assert.deepEqual(above.map((r) => r.text.slice(0, 60)), []);
  });

  describe('quality gates on dev.jsonl', { skip: !existsSync(DEV) && '../shared is not present' }, () => {
    let labels: number[] = [];
    let scores: number[] = [];
    before(async () => {
      const rows = readJsonl<{ text: string; label: number }>(DEV);
      const results = await classifier.score(rows.map((r) => r.text));
      labels = rows.map((r) => r.label);
      scores = results.map((r) => r?.score ?? 0);
    });

    it('TPR ≥ 0.90 at 1 % FPR', () => {
      const tpr = tprAtFpr(labels, scores, 0.01);
      assert.ok(tpr >= 0.9, `TPR at 1% FPR ${tpr.toFixed(4)}`);
    });

    it('ROC-AUC ≥ 0.99', () => {
      const auc = rocAuc(labels, scores);
      assert.ok(auc >= 0.99, `ROC-AUC ${auc.toFixed(4)}`);
    });
  });
});
