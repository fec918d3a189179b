// Loads web-tree-sitter and the WASM grammars that the build copied into grammars/, checking
// each file's sha256 against grammars/manifest.json first: a grammar is code that runs inside
// the scanner, so a swapped or corrupted file must fail loudly, not parse differently.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import type { GrammarLanguageId } from '../types';

interface ManifestEntry {
  package: string;
  version: string;
  file: string;
  sha256: string;
}

export interface GrammarManifest {
  runtime: ManifestEntry;
  grammars: Record<GrammarLanguageId, ManifestEntry>;
}

export class GrammarIntegrityError extends Error {}

/** Finds the grammars/ folder from a bundle in dist/ or from the TypeScript sources. */
export function defaultGrammarDir(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = join(dir, 'grammars');
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new GrammarIntegrityError(`grammars/manifest.json not found above ${start}: run 'npm run build'`);
    dir = parent;
  }
}

function readVerified(dir: string, entry: ManifestEntry): Uint8Array {
  const path = join(dir, entry.file);
  const bytes = readFileSync(path);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== entry.sha256) {
    throw new GrammarIntegrityError(`${path}: sha256 ${actual} does not match the manifest (${entry.sha256}); rebuild with 'npm run build'`);
  }
  return bytes;
}

export type Languages = Record<GrammarLanguageId, Language>;

let runtimeReady: Promise<void> | undefined;

export async function loadLanguages(dir: string = defaultGrammarDir()): Promise<Languages> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as GrammarManifest;
  const runtimeBytes = readVerified(dir, manifest.runtime);
  runtimeReady ??= Parser.init({ wasmBinary: runtimeBytes } as object);
  await runtimeReady;
  const entries = await Promise.all(
    (Object.keys(manifest.grammars) as GrammarLanguageId[]).map(async (id) => [id, await Language.load(readVerified(dir, manifest.grammars[id]))] as const),
  );
  return Object.fromEntries(entries) as Languages;
}
