// Measuring helpers shared by the bench sections: statistics, repeated runs, child processes
// with their exact CPU time and peak RSS, and a description of the machine.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export const MB = 1024 * 1024;

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** How many times each measure runs: at least `min`, at most `max`, and no more once a measure has used `capMs`. */
export interface RunPolicy {
  min: number;
  max: number;
  capMs: number;
}

/**
 * Runs the measures round-robin (A B C, A B C, …) so that the load other processes put on the
 * machine hits every tool alike, which keeps the ratios between them meaningful. Each measure
 * returns one sample; a measure that returns undefined (tool missing) is not run again.
 */
export async function interleave<T>(measures: Record<string, () => Promise<T | undefined>>, policy: RunPolicy, log: (m: string) => void): Promise<Record<string, T[]>> {
  const samples: Record<string, T[]> = {};
  const spent: Record<string, number> = {};
  const done = new Set<string>();
  for (let round = 0; round < policy.max; round++) {
    for (const [name, measure] of Object.entries(measures)) {
      if (done.has(name)) continue;
      const started = performance.now();
      const sample = await measure();
      spent[name] = (spent[name] ?? 0) + performance.now() - started;
      if (sample === undefined) {
        done.add(name);
        continue;
      }
      (samples[name] ??= []).push(sample);
      log(`  ${name}: run ${samples[name].length} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      if (samples[name].length >= policy.min && spent[name] >= policy.capMs) done.add(name);
    }
  }
  return samples;
}

export interface ProcessSample {
  wallMs: number;
  /** User + system CPU time of the process and everything it waited for. */
  cpuMs: number;
  maxRssMb: number;
  exitCode: number;
  stderr: string;
}

// Python's resource module reads getrusage(RUSAGE_CHILDREN) after the child exits: exact CPU time
// and peak RSS of any program, without depending on GNU time being installed. python3 is needed
// anyway (its standard library is the corpus).
const RUSAGE_WRAPPER = `
import json, resource, subprocess, sys, time
started = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wallMs": wall * 1000, "cpuMs": (r.ru_utime + r.ru_stime) * 1000, "maxRssMb": r.ru_maxrss / 1024, "exitCode": p.returncode, "stderr": p.stderr.decode("utf-8", "replace")[-4000:]}))
`;

/** Runs a command to completion and returns its wall time, CPU time and peak RSS. */
export function measureProcess(command: string, args: string[], cwd?: string): Promise<ProcessSample> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', RUSAGE_WRAPPER, command, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as ProcessSample);
      } catch {
        reject(new Error(`measuring ${command} failed (wrapper exit ${code}): ${out.slice(-500)}`));
      }
    });
  });
}

/** Resident and peak resident memory of a running process, in MB (Linux /proc). */
export function processMemory(pid: number): { rssMb: number; hwmMb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * This process's peak RSS in MB. VmHWM belongs to the process's own memory map; getrusage's
 * maxRSS does not: Linux carries it over from the parent across fork + exec, so a section run
 * as a child of the bench would report the bench's own size.
 */
export function ownPeakRssMb(): number {
  return processMemory(process.pid)?.hwmMb ?? process.resourceUsage().maxRSS / 1024;
}

/** The first line a command prints, or undefined when it is not installed. */
export function commandVersion(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0].trim();
  } catch {
    return undefined;
  }
}

export function machine() {
  const cpu = cpus();
  return {
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    ramGb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    os: `${process.platform} ${release()}`,
    node: process.version,
    python: commandVersion('python3', ['--version']),
    loadAverageAtStart: loadavg().map((l) => Number(l.toFixed(2))),
  };
}

export const round = (n: number, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);
