// Probing an execution provider in a CHILD PROCESS: a provider whose libraries are missing or
// broken can abort the process natively, and the language server must survive that. The child
// creates a session on the device and scores one window; exit code 0 means it works.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from './model';
import { createSession, runWindows, type Device } from './runtime';
import { WINDOW } from './tokenizer';

export interface ProbeResult {
  device: Device;
  ok: boolean;
  detail: string;
}

const cache = new Map<Device, Promise<ProbeResult>>();

/** Probes a device once per process (the result is cached); CPU needs no probe. */
export function probeDevice(device: Device, probeScript: string, modelDir: string, timeoutMs = 30_000): Promise<ProbeResult> {
  if (device === 'cpu') return Promise.resolve({ device, ok: true, detail: 'CPU needs no probe' });
  let pending = cache.get(device);
  if (!pending) {
    pending = new Promise<ProbeResult>((resolve) => {
      if (!existsSync(probeScript)) {
        resolve({ device, ok: false, detail: `probe script missing: ${probeScript}` });
        return;
      }
      const child = spawn(process.execPath, [probeScript, device, modelDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => (output += d));
      child.stderr.on('data', (d) => (output += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      timer.unref();
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const detail = output.trim().split('\n').slice(-3).join(' ') || (signal ? `killed by ${signal}` : `exit code ${code}`);
        resolve({ device, ok: code === 0, detail });
      });
      child.on('error', (err) => resolve({ device, ok: false, detail: err.message }));
    });
    cache.set(device, pending);
  }
  return pending;
}

/** The child side: `node classifier-probe.js <device> <modelDir>`. */
export async function runProbe(device: Device, modelDir: string): Promise<number> {
  try {
    const { info, bytes } = loadModel(modelDir);
    const session = await createSession(bytes, device);
    const scores = await runWindows(session, [new Array(WINDOW).fill(0).map((_, i) => (i < 5 ? 105 : 0))], info.input.name, info.output.name);
    if (scores.length !== 1 || !Number.isFinite(scores[0])) throw new Error('the probe inference returned no score');
    process.stdout.write(`${device} works (${join(modelDir, info.file)})\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${device} unavailable: ${(err as Error)?.message ?? String(err)}\n`);
    return 1;
  }
}
