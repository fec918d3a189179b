// The injection classifier as the language server and the CLI use it: lazy (nothing loads until
// the first text is scored), sha256-verified, run in a worker thread, batched, windowed (a long
// text scores as its highest window, and says which one), on the device the settings ask for —
// `auto` probes CUDA in a child process once and falls back to CPU. When the native runtime or the
// model cannot load, `status` says why and every score request resolves to nothing.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { defaultModelDir, loadModel, type ModelInfo } from './model';
import { probeDevice } from './probe';
import type { Device } from './runtime';
import { encode, windows } from './tokenizer';

export type DeviceSetting = 'auto' | Device;

export interface ClassifierStatus {
  state: 'idle' | 'loading' | 'ready' | 'disabled' | 'unavailable';
  device?: Device;
  model?: string;
  /** Why the classifier is unavailable, or how the device was chosen. */
  detail?: string;
}

export interface ClassifierResult {
  score: number;
  /** UTF-16 offsets, in the scored text, of the highest-scoring window. */
  window: { start: number; end: number };
}

export interface ClassifierOptions {
  device?: DeviceSetting;
  enabled?: boolean;
  modelDir?: string;
  /** Folder holding classifier-worker.js and classifier-probe.js (the bundles). */
  distDir?: string;
  log?: (message: string) => void;
  /** Windows per inference call. */
  batchSize?: number;
}

/** Finds dist/ (the bundled worker and probe) from a bundle or from the sources. */
export function defaultDistDir(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'classifier-worker.js'))) return dir;
    if (existsSync(join(dir, 'dist', 'classifier-worker.js'))) return join(dir, 'dist');
    if (dirname(dir) === dir) return join(start, 'dist');
  }
}

interface Pending {
  resolve: (scores: number[]) => void;
  reject: (err: Error) => void;
}

export class Classifier {
  private worker?: Worker;
  private ready?: Promise<void>;
  private info?: ModelInfo;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private current: ClassifierStatus;

  constructor(private readonly options: ClassifierOptions = {}) {
    this.current = options.enabled === false ? { state: 'disabled', detail: 'airlock.classifier.enabled is false' } : { state: 'idle' };
  }

  get status(): ClassifierStatus {
    return this.current;
  }

  get threshold(): number | undefined {
    return this.info?.threshold;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /** Loads the model and starts the worker on the chosen device (once). */
  start(): Promise<void> {
    if (this.current.state === 'disabled') return Promise.resolve();
    this.ready ??= this.load().catch((err: Error) => {
      this.current = { state: 'unavailable', detail: err.message };
      this.log(`classifier unavailable: ${err.message}`);
    });
    return this.ready;
  }

  private async load(): Promise<void> {
    this.current = { state: 'loading' };
    const modelDir = this.options.modelDir ?? defaultModelDir();
    const distDir = this.options.distDir ?? defaultDistDir();
    const { info, bytes } = loadModel(modelDir);
    this.info = info;
    const wanted = this.options.device ?? 'auto';
    let device: Device = 'cpu';
    let detail = 'CPU (as configured)';
    if (wanted === 'auto' || wanted !== 'cpu') {
      const candidate: Device = wanted === 'auto' ? 'cuda' : wanted;
      const probe = await probeDevice(candidate, join(distDir, 'classifier-probe.js'), modelDir);
      if (probe.ok) {
        device = candidate;
        detail = `${candidate.toUpperCase()} (probe: ${probe.detail})`;
      } else {
        detail = `CPU (${candidate.toUpperCase()} unavailable: ${probe.detail})`;
      }
    }
    this.worker = await this.startWorker(join(distDir, 'classifier-worker.js'), bytes, device, info);
    this.current = { state: 'ready', device, model: `${info.name} v${info.version}`, detail };
    this.log(`classifier ready: ${this.current.model} on ${detail}`);
  }

  private startWorker(script: string, model: Uint8Array, device: Device, info: ModelInfo): Promise<Worker> {
    return new Promise((resolve, reject) => {
      if (!existsSync(script)) {
        reject(new Error(`classifier worker missing: ${script} (run npm run build)`));
        return;
      }
      const worker = new Worker(script, { workerData: { model, device, inputName: info.input.name, outputName: info.output.name } });
      worker.unref();
      worker.on('message', (msg: { type: string; id?: number; scores?: number[]; error?: string }) => {
        if (msg.type === 'ready') resolve(worker);
        else if (msg.type === 'failed' && msg.id === undefined) reject(new Error(msg.error));
        else if (msg.id !== undefined) {
          const p = this.pending.get(msg.id);
          this.pending.delete(msg.id);
          if (msg.type === 'scores') p?.resolve(msg.scores!);
          else p?.reject(new Error(msg.error));
        }
      });
      worker.on('error', (err) => {
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        this.current = { state: 'unavailable', detail: `the classifier worker crashed: ${err.message}` };
      });
    });
  }

  private runBatch(batch: number[][]): Promise<number[]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ id, windows: batch });
    });
  }

  /**
   * Scores texts (max over windows). Resolves to undefined entries when the classifier is
   * disabled or unavailable: callers treat that as "no opinion", never as "safe".
   */
  async score(texts: string[]): Promise<(ClassifierResult | undefined)[]> {
    await this.start();
    if (this.current.state !== 'ready' || !this.worker) return texts.map(() => undefined);
    const all: { text: number; start: number; ids: number[] }[] = [];
    const encoded = texts.map((t, i) => {
      const e = encode(t);
      for (const w of windows(e.ids)) all.push({ text: i, start: w.start, ids: w.ids });
      return e;
    });
    const batchSize = this.options.batchSize ?? 64;
    const scores: number[] = [];
    for (let b = 0; b < all.length; b += batchSize) scores.push(...(await this.runBatch(all.slice(b, b + batchSize).map((w) => w.ids))));
    const best: (ClassifierResult | undefined)[] = texts.map(() => undefined);
    all.forEach((w, k) => {
      const current = best[w.text];
      if (current && current.score >= scores[k]) return;
      const e = encoded[w.text];
      const endByte = Math.min(w.start + w.ids.length, e.byteToChar.length - 1);
      best[w.text] = { score: scores[k], window: { start: e.byteToChar[w.start] ?? 0, end: e.byteToChar[endByte] ?? e.text.length } };
    });
    return best;
  }

  async dispose(): Promise<void> {
    await this.worker?.terminate();
    this.worker = undefined;
  }
}
