// The benchmark corpora: real code nobody here wrote, present offline on every machine here.
//   python: the standard library of the machine's python3, tests included, site-packages excluded;
//   npm:    the npm CLI's own installation (`$(npm root -g)/npm`), its bundled dependencies included.
// Only the source files are copied (.py, resp. .js/.mjs/.cjs), so every tool reads the same files.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Corpus {
  name: 'python' | 'npm';
  /** Where it was copied from (a machine path: kept out of the results). */
  source: string;
  /** What it is, for the results. */
  description: string;
  /** The copy the tools scan. */
  root: string;
  files: string[];
  bytes: number;
  /** Folders renamed in the copy, and why. */
  renamed?: string;
}

/** Every file under `dir` whose name ends in one of `extensions`, skipping folders named in `skipDirs`. */
function walk(dir: string, extensions: string[], skipDirs: Set<string>, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipDirs.has(entry.name)) walk(path, extensions, skipDirs, out);
    } else if (entry.isFile() && extensions.some((e) => entry.name.endsWith(e))) out.push(path);
  }
  return out;
}

function copyCorpus(name: Corpus['name'], description: string, source: string, target: string, files: string[], rename: (rel: string) => string): Corpus {
  const copied: string[] = [];
  let bytes = 0;
  for (const file of files) {
    const dest = join(target, rename(relative(source, file)));
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(file, dest);
    copied.push(dest);
    bytes += statSync(dest).size;
  }
  return { name, description, source, root: target, files: copied.sort(), bytes };
}

export function pythonStdlib(): string {
  return execFileSync('python3', ['-c', "import sysconfig; print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
}

export function npmInstallation(): string {
  return join(execFileSync('npm', ['root', '-g'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(), 'npm');
}

export function buildPythonCorpus(target: string): Corpus {
  const source = pythonStdlib();
  const files = walk(source, ['.py'], new Set(['site-packages', 'dist-packages', '__pycache__']));
  const version = execFileSync('python3', ['--version'], { encoding: 'utf8' }).trim();
  return copyCorpus('python', `${version} standard library with its tests, without site-packages (.py files)`, source, target, files, (rel) => rel);
}

/**
 * npm's dependencies live in node_modules/, which Airlock's scan (like most linters) skips by
 * default; they are copied as vendor/ so that the scan covers the same files as the other tools.
 */
export function buildNpmCorpus(target: string): Corpus {
  const source = npmInstallation();
  const files = walk(source, ['.js', '.mjs', '.cjs'], new Set());
  const version = execFileSync('npm', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  const corpus = copyCorpus('npm', `npm ${version} CLI installation with its bundled dependencies (.js/.mjs/.cjs files)`, source, target, files, (rel) => rel.split('/').map((part) => (part === 'node_modules' ? 'vendor' : part)).join('/'));
  return { ...corpus, renamed: 'node_modules/ copied as vendor/ (the scan skips node_modules by default)' };
}
