// Worker thread that owns the onnxruntime session, so inference (and loading the native
// module) happens off the language server's thread. Messages: init → ready | failed;
// score (windows of ids) → scores | failed.
import { parentPort, workerData } from 'node:worker_threads';
import type { InferenceSession } from 'onnxruntime-node';
import { createSession, runWindows, type Device } from './runtime';

interface Init {
  model: Uint8Array;
  device: Device;
  inputName: string;
  outputName: string;
}

const port = parentPort!;
const init = workerData as Init;
let session: InferenceSession | undefined;

createSession(init.model, init.device)
  .then((s) => {
    session = s;
    port.postMessage({ type: 'ready' });
  })
  .catch((err: Error) => port.postMessage({ type: 'failed', error: err?.message ?? String(err) }));

port.on('message', async (msg: { id: number; windows: number[][] }) => {
  try {
    if (!session) throw new Error('session not ready');
    const scores = await runWindows(session, msg.windows, init.inputName, init.outputName);
    port.postMessage({ type: 'scores', id: msg.id, scores: Array.from(scores) });
  } catch (err) {
    port.postMessage({ type: 'failed', id: msg.id, error: (err as Error)?.message ?? String(err) });
  }
});
