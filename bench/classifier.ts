// Injection classifier on the CPU, through the same Classifier API the server and the CLI use
// (worker thread, windows, batches): load time, latency of one text at a time, throughput in
// batches of 64, and the memory it adds. The texts are the repository's hard examples
// (training/hard_examples.jsonl). Runs in its own process (`--json`) so that its memory is its own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Classifier } from '../server/src/classifier/index';
import { encode, windows } from '../server/src/classifier/tokenizer';
import { MB, ownPeakRssMb, percentile } from './measure';

const ROOT = join(__dirname, '..');

export interface ClassifierBenchResult {
  device: string;
  model: string;
  texts: number;
  loadMs: number;
  batch1: { calls: number; p50Ms: number; p95Ms: number };
  batch64: { batches: number; textsPerS: number; windowsPerS: number };
  rssBeforeMb: number;
  rssAfterMb: number;
  peakRssMb: number;
}

export async function benchClassifier(batch1Calls = 200, batch64Batches = 20): Promise<ClassifierBenchResult> {
  const texts = readFileSync(join(ROOT, 'training', 'hard_examples.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const rssBefore = process.memoryUsage().rss / MB;
  const classifier = new Classifier({ device: 'cpu', batchSize: 64 });
  let t = performance.now();
  await classifier.start();
  const loadMs = performance.now() - t;
  if (classifier.status.state !== 'ready') throw new Error(`the classifier is unavailable: ${classifier.status.detail}`);
  try {
    // Warm-up, then one text per call.
    await classifier.score(texts.slice(0, 8));
    const latencies: number[] = [];
    for (let i = 0; i < batch1Calls; i++) {
      t = performance.now();
      await classifier.score([texts[i % texts.length]]);
      latencies.push(performance.now() - t);
    }
    // 64 texts per call; a text longer than one window is several windows.
    const windowCount = texts.map((text) => windows(encode(text).ids).length);
    let scoredTexts = 0;
    let scoredWindows = 0;
    t = performance.now();
    for (let b = 0; b < batch64Batches; b++) {
      const indices = Array.from({ length: 64 }, (_, k) => (b * 64 + k) % texts.length);
      await classifier.score(indices.map((i) => texts[i]));
      scoredTexts += indices.length;
      scoredWindows += indices.reduce((n, i) => n + windowCount[i], 0);
    }
    const seconds = (performance.now() - t) / 1000;
    return {
      device: classifier.status.device ?? 'cpu',
      model: classifier.status.model ?? 'unknown',
      texts: texts.length,
      loadMs,
      batch1: { calls: batch1Calls, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) },
      batch64: { batches: batch64Batches, textsPerS: scoredTexts / seconds, windowsPerS: scoredWindows / seconds },
      rssBeforeMb: rssBefore,
      rssAfterMb: process.memoryUsage().rss / MB,
      peakRssMb: ownPeakRssMb(),
    };
  } finally {
    await classifier.dispose();
  }
}

if (require.main === module) {
  benchClassifier().then(
    (result) => console.log(JSON.stringify(result)),
    (err: Error) => {
      console.error(err.message);
      process.exitCode = 1;
    },
  );
}
