// A synthetic 10,000-file workspace, scanned by the CLI: wall time and peak RSS. The files are
// real ones in a realistic mix — Python from the standard library, JavaScript, JSON and Markdown
// from the npm installation, TypeScript from this repository — with 5 % drawn from the test
// fixtures and the example app, which have findings. The same seed gives the same workspace.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import type { Corpus } from './corpus';
import { interleave, MB, measureProcess, median, type ProcessSample, type RunPolicy } from './measure';
import { seededRandom } from '../test/harness/random';

const ROOT = join(__dirname, '..');
/** Larger files are rare in real workspaces and would make the mix depend on a few giants. */
const MAX_POOL_FILE = 16 * 1024;
const MIX: [ext: string, share: number][] = [
  ['.py', 0.4],
  ['.ts', 0.2],
  ['.js', 0.2],
  ['.json', 0.1],
  ['.md', 0.1],
];
const WITH_FINDINGS_SHARE = 0.05;
const FOLDERS = ['src', 'lib', 'tests', 'docs', 'scripts'];

function filesUnder(dir: string, keep: (path: string) => boolean, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesUnder(path, keep, out);
    else if (entry.isFile() && keep(path)) out.push(path);
  }
  return out;
}


export interface WorkspaceResult {
  files: number;
  mb: number;
  byExtension: Record<string, number>;
  runs: number;
  wallMedianMs: number;
  cpuMedianMs: number;
  peakRssMb: number;
  filesPerS: number;
  filesScanned: number;
  skipped: number;
  findings: number;
}

export function buildWorkspace(target: string, python: Corpus, npm: Corpus, count = 10_000): { files: number; bytes: number; byExtension: Record<string, number> } {
  const small = (p: string) => statSync(p).size <= MAX_POOL_FILE;
  const npmSource = npm.source;
  const pools: Record<string, string[]> = {
    '.py': python.files.filter(small),
    '.js': npm.files.filter(small),
    '.ts': filesUnder(join(ROOT, 'server', 'src'), (p) => p.endsWith('.ts') && small(p)),
    '.json': filesUnder(npmSource, (p) => p.endsWith('.json') && small(p)),
    '.md': filesUnder(npmSource, (p) => p.endsWith('.md') && small(p)),
  };
  const withFindings = [...filesUnder(join(ROOT, 'test', 'fixtures'), (p) => /\.(py|ts|js)$/.test(p) && !p.includes('.fixed.')), ...filesUnder(join(ROOT, 'examples', 'rag-assistant'), (p) => /\.(py|ts|tsx)$/.test(p))];
  for (const [ext, pool] of Object.entries(pools)) if (pool.length === 0) throw new Error(`no ${ext} files to build the workspace from`);
  const random = seededRandom(20_000);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const byExtension: Record<string, number> = {};
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    let source: string;
    if (random() < WITH_FINDINGS_SHARE) source = pick(withFindings);
    else {
      let r = random();
      const ext = MIX.find(([, share]) => (r -= share) < 0)?.[0] ?? '.py';
      source = pick(pools[ext]);
    }
    const ext = extname(source);
    // 100 packages of 100 files in five folders each; names stay unique and keep their extension.
    const dir = join(target, `pkg${String(Math.floor(i / 100)).padStart(3, '0')}`, FOLDERS[i % FOLDERS.length]);
    mkdirSync(dir, { recursive: true });
    const text = readFileSync(source);
    writeFileSync(join(dir, `${basename(source, ext).replace(/^\./, '')}_${i}${ext}`), text);
    byExtension[ext] = (byExtension[ext] ?? 0) + 1;
    bytes += text.length;
  }
  return { files: count, bytes, byExtension };
}

export async function benchWorkspace(root: string, built: { files: number; bytes: number; byExtension: Record<string, number> }, reportPath: string, policy: RunPolicy, log: (m: string) => void): Promise<WorkspaceResult> {
  let report: { summary: { filesScanned: number; findings: number }; skipped: unknown[] } | undefined;
  const samples = await interleave(
    {
      workspaceScan: async () => {
        const sample = await measureProcess(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'scan', root, '--format', 'json', '--no-progress', '--device', 'cpu', '-o', reportPath]);
        if (sample.exitCode !== 0 && sample.exitCode !== 1) throw new Error(`airlock scan exited with ${sample.exitCode}: ${sample.stderr}`);
        report = JSON.parse(readFileSync(reportPath, 'utf8'));
        return sample;
      },
    },
    policy,
    log,
  );
  const runs = samples.workspaceScan as ProcessSample[];
  const wall = median(runs.map((s) => s.wallMs));
  return {
    files: built.files,
    mb: built.bytes / MB,
    byExtension: built.byExtension,
    runs: runs.length,
    wallMedianMs: wall,
    cpuMedianMs: median(runs.map((s) => s.cpuMs)),
    peakRssMb: Math.max(...runs.map((s) => s.maxRssMb)),
    filesPerS: (report!.summary.filesScanned / wall) * 1000,
    filesScanned: report!.summary.filesScanned,
    skipped: report!.skipped.length,
    findings: report!.summary.findings,
  };
}
