// The exact version of a package the workspace itself already uses, for pinning an MCP server's
// `npx pkg` / `uvx pkg` to it. Only local files are read (never a registry), and only versions
// that are exact in them count: what package-lock.json installed, or an exact version in
// package.json; for Python, lock files and `==` pins. No version is ever guessed.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { documentFolder, normalizeName, PythonDependencyCache } from '../../../engine/manifests/python';

export interface LocalVersion {
  version: string;
  /** The file that says so, for the fix title. */
  file: string;
}

const MAX_BYTES = 16 * 1024 * 1024;
const EXACT = /^=?v?(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)$/;

interface CachedJson {
  stamp: string;
  data: unknown;
}
const jsonCache = new Map<string, CachedJson>();

function stampOf(file: string): string | undefined {
  try {
    const s = statSync(file);
    return s.isFile() && s.size <= MAX_BYTES ? `${s.mtimeMs}:${s.size}` : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON file's contents, re-read only when its modification time or size changed. */
function readJson(file: string): unknown {
  const stamp = stampOf(file);
  if (!stamp) return undefined;
  const cached = jsonCache.get(file);
  if (cached?.stamp === stamp) return cached.data;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    data = undefined;
  }
  jsonCache.set(file, { stamp, data });
  if (jsonCache.size > 256) jsonCache.delete(jsonCache.keys().next().value!);
  return data;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function isRepositoryRoot(dir: string): boolean {
  try {
    statSync(join(dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

/** The folders from `start` up to the repository root (a folder holding `.git`) or the file-system root. */
function foldersUp(start: string): string[] {
  const out: string[] = [];
  let dir = resolve(start);
  for (let i = 0; i < 64; i++) {
    out.push(dir);
    const parent = dirname(dir);
    if (parent === dir || isRepositoryRoot(dir)) break;
    dir = parent;
  }
  return out;
}

function lockVersion(lock: unknown, name: string): string | undefined {
  const root = record(lock);
  if (!root) return undefined;
  // lockfileVersion 2 and 3: "packages" keyed by install path; an alias names its real package.
  const entry = record(record(root.packages)?.[`node_modules/${name}`]);
  if (entry && typeof entry.version === 'string' && (entry.name === undefined || entry.name === name)) return EXACT.exec(entry.version)?.[1];
  // lockfileVersion 1: "dependencies" keyed by name.
  const v1 = record(record(root.dependencies)?.[name]);
  if (v1 && typeof v1.version === 'string') return EXACT.exec(v1.version)?.[1];
  return undefined;
}

function manifestVersion(manifest: unknown, name: string): string | undefined {
  const root = record(manifest);
  if (!root) return undefined;
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const spec = record(root[field])?.[name];
    if (typeof spec === 'string') {
      const exact = EXACT.exec(spec.trim())?.[1];
      if (exact) return exact;
    }
  }
  return undefined;
}

/** The exact npm version of `name` the workspace of `documentPath` installs or pins, nearest folder first. */
export function npmVersionFor(documentPath: string, name: string): LocalVersion | undefined {
  const start = documentFolder(documentPath);
  if (!start || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) return undefined;
  for (const dir of foldersUp(start)) {
    for (const lockName of ['npm-shrinkwrap.json', 'package-lock.json']) {
      const file = join(dir, lockName);
      const version = lockVersion(readJson(file), name);
      if (version) return { version, file };
    }
    const file = join(dir, 'package.json');
    const version = manifestVersion(readJson(file), name);
    if (version) return { version, file };
  }
  return undefined;
}

const pythonCache = new PythonDependencyCache();

/** The exact PyPI version of `name` that the workspace's lock files or `==` pins name, nearest first. */
export function pythonVersionFor(documentPath: string, name: string): LocalVersion | undefined {
  const start = documentFolder(documentPath);
  if (!start) return undefined;
  const wanted = normalizeName(name);
  const exact = pythonCache.get(start).filter((d) => d.ecosystem === 'pypi' && d.name === wanted && d.exactVersion && !d.constraint);
  if (exact.length === 0) return undefined;
  const nearest = Math.min(...exact.map((d) => d.distance ?? 0));
  const candidates = exact.filter((d) => (d.distance ?? 0) === nearest);
  const best = candidates.find((d) => d.locked) ?? candidates[0];
  // Two different exact pins at the same distance: no single answer, so no fix.
  if (candidates.some((d) => d.exactVersion !== best.exactVersion && d.locked === best.locked)) return undefined;
  return { version: best.exactVersion!, file: best.file };
}
