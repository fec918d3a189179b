// onnxruntime-node, loaded lazily: the native module may be missing or fail to load (an
// unsupported platform, a packaging problem), and everything else must keep working then.
import type { InferenceSession } from 'onnxruntime-node';

export type Device = 'cpu' | 'cuda' | 'webgpu';

type Ort = typeof import('onnxruntime-node');
let ort: Ort | undefined;

export function loadRuntime(): Ort {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ort ??= require('onnxruntime-node') as Ort;
  return ort;
}

/**
 * A session on one device. Asking for CUDA throws when its provider libraries cannot load
 * (onnxruntime does not fall back on its own), so callers probe first (probe.ts) and fall
 * back to CPU themselves.
 */
export async function createSession(model: Uint8Array, device: Device): Promise<InferenceSession> {
  const runtime = loadRuntime();
  return runtime.InferenceSession.create(model, {
    executionProviders: [device],
    graphOptimizationLevel: 'all',
    // The language server shares the machine with the editor: one thread per session.
    intraOpNumThreads: device === 'cpu' ? 1 : undefined,
    interOpNumThreads: 1,
  });
}

/** Scores windows of token ids: returns one probability per window. */
export async function runWindows(session: InferenceSession, windows: number[][], inputName: string, outputName: string): Promise<Float32Array> {
  const runtime = loadRuntime();
  if (windows.length === 0) return new Float32Array(0);
  const width = windows[0].length;
  const data = new BigInt64Array(windows.length * width);
  windows.forEach((w, i) => {
    for (let j = 0; j < width; j++) data[i * width + j] = BigInt(w[j]);
  });
  const result = await session.run({ [inputName]: new runtime.Tensor('int64', data, [windows.length, width]) });
  return result[outputName].data as Float32Array;
}
