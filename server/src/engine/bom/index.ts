// The AI bill of materials of a workspace: one scan (findings, and every file's text), each code
// and MCP config file asked what it uses (inventory.ts), model files hashed, AI packages read from
// the manifests beside the scanned files, all written as CycloneDX 1.6 (cyclonedx.ts).
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, resolve, sep } from 'node:path';
import { npmVersionFor } from '../../rules/agent-config/lib/local-versions';
import { ruleContext } from '../analyzer';
import type { Engine } from '../engine';
import { classifyFile, hasGrammar } from '../files';
import { manifestFilesIn, readPythonManifest } from '../manifests/python';
import { locate, type Report } from '../render/report';
import { scanToReport, type ScanOptions } from '../scan';
import { LineIndex } from '../text/lines';
import { isAiPackage } from './catalog';
import { buildBom, type AiPackage, type ModelFile } from './cyclonedx';
import { inventoryOf, type HubReference, type LlmUse, type McpServerEntry } from './inventory';

export interface BomOptions extends ScanOptions {
  tool: { name: string; version: string };
  /** How the report's paths are shown (the BOM's own paths are relative to the scanned folder). */
  displayPath?(path: string): string;
  onEvent?: Parameters<typeof scanToReport>[2]['onEvent'];
  /** For reproducible output in tests; a random UUID and the current time otherwise. */
  serialNumber?: string;
  timestamp?: string;
}

export interface BomResult {
  bom: Record<string, unknown>;
  /** The scan behind it (findings, skipped files, config errors), for callers that show them. */
  report: Report;
}

/** Streams a file through SHA-256: model files can be gigabytes. */
export function sha256File(path: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

/** The folder the BOM's paths are relative to: the scanned folder, or the deepest folder holding every root. */
export function commonBase(roots: string[]): string {
  const dirs = roots.map((r) => {
    const p = resolve(r);
    return existsSync(p) && statSync(p).isFile() ? dirname(p) : p;
  });
  let base = dirs[0] ?? process.cwd();
  for (const d of dirs.slice(1)) while (!(d === base || d.startsWith(base.endsWith(sep) ? base : base + sep))) base = dirname(base);
  return base;
}

function npmPackages(packageJson: string): AiPackage[] {
  let text: string;
  let manifest: Record<string, unknown>;
  try {
    text = readFileSync(packageJson, 'utf8');
    manifest = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return []; // a broken package.json is the JSON rules' business; the BOM lists what it can read
  }
  if (!manifest || typeof manifest !== 'object') return [];
  const lines = new LineIndex(text);
  const out: AiPackage[] = [];
  for (const [field, group] of [['dependencies', undefined], ['optionalDependencies', 'optional'], ['devDependencies', 'dev']] as const) {
    const deps = manifest[field];
    if (!deps || typeof deps !== 'object') continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string' || !isAiPackage('npm', name)) continue;
      const exact = npmVersionFor(packageJson, name)?.version;
      const offset = text.indexOf(JSON.stringify(name));
      out.push({ ecosystem: 'npm', name, version: exact, specifier: exact ? undefined : spec, group, at: { path: packageJson, line: offset >= 0 ? lines.positionAt(offset).line + 1 : undefined } });
    }
  }
  return out;
}

/** AI packages declared in the Python manifests of every folder the scan covered, and in its package.json files. */
function aiPackages(folders: Iterable<string>, packageJsons: string[]): AiPackage[] {
  const out: AiPackage[] = [];
  const seen = new Set<string>();
  for (const dir of [...folders].sort()) {
    for (const file of manifestFilesIn(dir)) {
      for (const dep of readPythonManifest(file, seen)) {
        if (dep.constraint || !isAiPackage(dep.ecosystem, dep.name)) continue;
        out.push({ ecosystem: dep.ecosystem, name: dep.name, version: dep.exactVersion, specifier: dep.exactVersion ? undefined : dep.specifier, group: dep.group, at: { path: dep.file, line: dep.line } });
      }
    }
  }
  for (const file of packageJsons.sort()) out.push(...npmPackages(file));
  return out;
}

/** Scans `roots` and derives their AI bill of materials. */
export async function generateBom(engine: Engine, roots: string[], options: BomOptions): Promise<BomResult> {
  const base = commonBase(roots);
  const hub: HubReference[] = [];
  const llm: LlmUse[] = [];
  const mcp: McpServerEntry[] = [];
  const modelPaths: { path: string; format: string }[] = [];
  const folders = new Set<string>(roots.map((r) => resolve(r)).filter((r) => existsSync(r) && statSync(r).isDirectory()));
  const packageJsons: string[] = [];

  const report = await scanToReport(engine, roots, {
    ...options,
    displayPath: options.displayPath ?? ((p) => p),
    async onEvent(event) {
      await options.onEvent?.(event);
      if (event.kind !== 'file') return;
      folders.add(dirname(event.path));
      if (event.model) {
        modelPaths.push({ path: event.path, format: event.modelFormat ?? 'unknown' });
        return;
      }
      if (basename(event.path) === 'package.json') packageJsons.push(event.path);
      const file = classifyFile(event.path);
      // Code needs its syntax tree; MCP configs in TOML (Codex) are read without one.
      if (!file || (!hasGrammar(file.language) && !file.kinds.has('mcp'))) return;
      const tree = hasGrammar(file.language) ? engine.parse(file.language, event.text) : undefined;
      try {
        const found = inventoryOf(ruleContext({ path: event.path, text: event.text, language: file.language, kinds: file.kinds, tree }));
        hub.push(...found.hub);
        llm.push(...found.llm);
        mcp.push(...found.mcp);
      } finally {
        tree?.delete();
      }
    },
  });

  const modelFiles: ModelFile[] = [];
  for (const { path, format } of modelPaths.sort((a, b) => a.path.localeCompare(b.path))) {
    modelFiles.push({ path, format, size: statSync(path).size, sha256: await sha256File(path) });
  }

  const bom = buildBom({
    tool: options.tool,
    base,
    projectName: basename(base),
    hub,
    llm,
    mcp,
    modelFiles,
    packages: aiPackages(folders, packageJsons),
    findings: locate(report),
    filesScanned: report.filesScanned,
    skipped: report.skipped.length,
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    timestamp: options.timestamp ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  return { bom, report };
}
