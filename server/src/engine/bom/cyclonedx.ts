// The inventory as CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/): Hub models and
// local model files as `machine-learning-model` components, datasets as `data`, AI packages as
// `library` with purls, MCP servers launched locally as `application`, remote MCP servers and LLM
// providers as `services`. Findings are attached as `airlock:finding` properties to the component
// whose code or config they point into. bom-refs are derived from what a thing is and where it is
// declared, so they are the same on every run; only serialNumber and timestamp change.
import { relative, sep } from 'node:path';
import { PROJECT_URL, type LocatedFinding } from '../render/report';
import { countBySeverity } from '../render/report';
import type { Pin } from '../../rules/agent-config/lib/launchers';
import type { Provider } from './catalog';
import type { HubReference, LlmUse, McpServerEntry, Occurrence } from './inventory';

export const CYCLONEDX_SPEC_VERSION = '1.6';

export interface ModelFile {
  path: string;
  format: string;
  size: number;
  sha256: string;
}

export interface AiPackage {
  ecosystem: 'pypi' | 'conda' | 'npm';
  name: string;
  /** An exact version (a lock file's, or `==`); otherwise the constraint is in `specifier`. */
  version?: string;
  specifier?: string;
  /** Dependency group (`dev`, an extra); absent for runtime dependencies. */
  group?: string;
  at: Occurrence;
}

export interface BomInput {
  tool: { name: string; version: string };
  /** The folder paths are shown relative to; its name names the project. */
  base: string;
  projectName: string;
  hub: HubReference[];
  llm: LlmUse[];
  mcp: McpServerEntry[];
  modelFiles: ModelFile[];
  packages: AiPackage[];
  findings: LocatedFinding[];
  filesScanned: number;
  skipped: number;
  serialNumber: string;
  timestamp: string;
}

interface Property {
  name: string;
  value: string;
}

/** A component or service being built, with where it was seen (for attaching findings). */
interface Entry {
  ref: string;
  kind: 'component' | 'service';
  /** Sort key within its kind: models first, then data, applications, libraries. */
  order: number;
  body: Record<string, unknown>;
  properties: Property[];
  occurrences: Occurrence[];
}

const TYPE_ORDER: Record<string, number> = { 'machine-learning-model': 0, data: 1, application: 2, library: 3 };

function purlName(ecosystem: string, name: string): string {
  // npm scopes are purl namespaces, with `@` percent-encoded; PyPI names are lower case with dashes.
  if (ecosystem === 'npm' && name.startsWith('@')) return `%40${name.slice(1)}`;
  if (ecosystem === 'pypi') return name.toLowerCase().replace(/[-_.]+/g, '-');
  return name;
}

export function purl(ecosystem: 'pypi' | 'conda' | 'npm' | 'docker' | 'huggingface', name: string, version?: string): string {
  return `pkg:${ecosystem}/${purlName(ecosystem, name)}${version ? `@${encodeURIComponent(version)}` : ''}`;
}

export function buildBom(input: BomInput): Record<string, unknown> {
  const rel = (path: string) => {
    const r = relative(input.base, path).split(sep).join('/');
    return r === '' ? '.' : r;
  };
  const entries = new Map<string, Entry>();
  const entry = (ref: string, kind: Entry['kind'], order: number, body: () => Record<string, unknown>): Entry => {
    let e = entries.get(ref);
    if (!e) entries.set(ref, (e = { ref, kind, order, body: body(), properties: [], occurrences: [] }));
    return e;
  };
  const addProperty = (e: Entry, name: string, value: string) => {
    if (!e.properties.some((p) => p.name === name && p.value === value)) e.properties.push({ name, value });
  };

  // Hugging Face Hub models and datasets: one component per repository and revision.
  for (const h of input.hub) {
    const [group, name] = h.id.includes('/') ? h.id.split('/', 2) : [undefined, h.id];
    const ref = `hf:${h.kind}:${h.id}${h.revision ? `@${h.revision}` : ''}`;
    const e = entry(ref, 'component', TYPE_ORDER[h.kind === 'model' ? 'machine-learning-model' : 'data'], () => ({
      type: h.kind === 'model' ? 'machine-learning-model' : 'data',
      ...(group && { group }),
      name,
      ...(h.revision && { version: h.revision }),
      ...(h.kind === 'model' && h.pinned && { purl: purl('huggingface', h.id, h.revision) }),
      externalReferences: [{ type: 'distribution', url: `https://huggingface.co/${h.kind === 'dataset' ? 'datasets/' : ''}${h.id}` }],
      ...(h.kind === 'dataset' && { data: [{ type: 'dataset', name: h.id }] }),
    }));
    if (h.task && h.kind === 'model') e.body.modelCard = { modelParameters: { task: h.task } };
    addProperty(e, 'airlock:hub:revision-pinned', String(h.pinned));
    if (h.revisionUnknown) addProperty(e, 'airlock:hub:revision', 'set at run time');
    addProperty(e, 'airlock:loader', h.loader);
    if (h.trustRemoteCode) addProperty(e, 'airlock:trust-remote-code', 'true');
    if (h.environment) addProperty(e, 'airlock:hub:environment-variable', h.environment);
    e.occurrences.push(h.at);
  }

  // Model files in the workspace, identified by their bytes.
  for (const m of input.modelFiles) {
    const path = rel(m.path);
    const e = entry(`file:${path}`, 'component', TYPE_ORDER['machine-learning-model'], () => ({
      type: 'machine-learning-model',
      name: path.slice(path.lastIndexOf('/') + 1),
      hashes: [{ alg: 'SHA-256', content: m.sha256 }],
    }));
    addProperty(e, 'airlock:path', path);
    addProperty(e, 'airlock:model:format', m.format);
    addProperty(e, 'airlock:size-bytes', String(m.size));
    e.occurrences.push({ path: m.path });
  }

  // AI packages from manifests: one component per package and exact version (or per package when unpinned).
  for (const p of input.packages) {
    const ref = purl(p.ecosystem, p.name, p.version);
    const e = entry(ref, 'component', TYPE_ORDER.library, () => ({ type: 'library', name: p.name, ...(p.version && { version: p.version }), purl: ref }));
    if (!p.version) addProperty(e, 'airlock:version-constraint', p.specifier || '(none: any version)');
    if (p.group) addProperty(e, 'airlock:dependency-group', p.group);
    e.occurrences.push(p.at);
  }

  // MCP servers: local ones are applications the agent launches, remote ones are services.
  for (const s of input.mcp) {
    const ref = `mcp:${rel(s.at.path)}#${s.name}`;
    const remote = !!s.url && !s.command;
    const pkgPurl = s.package && s.package.pin !== 'local' && s.package.pin !== 'url' ? purl(s.package.ecosystem, s.package.name, s.package.pin === 'exact' || s.package.pin === 'digest' ? s.package.version : undefined) : undefined;
    const endpoint = s.url && URL.canParse(s.url) ? s.url : undefined;
    const e = remote
      ? entry(ref, 'service', 0, () => ({ name: s.name, ...(endpoint && { endpoints: [endpoint] }), 'x-trust-boundary': true }))
      : entry(ref, 'component', TYPE_ORDER.application, () => ({
          type: 'application',
          name: s.name,
          ...(s.package?.version && (s.package.pin === 'exact' || s.package.pin === 'digest') && { version: s.package.version }),
          ...(pkgPurl && { purl: pkgPurl }),
        }));
    addProperty(e, 'airlock:mcp:client', s.client);
    addProperty(e, 'airlock:mcp:config', rel(s.at.path));
    if (s.command) addProperty(e, 'airlock:mcp:command', s.command);
    if (s.runner) addProperty(e, 'airlock:mcp:runner', s.runner);
    if (s.package) {
      addProperty(e, 'airlock:mcp:package', `${s.package.ecosystem}:${s.package.name}${s.package.version ? `@${s.package.version}` : ''}`);
      addProperty(e, 'airlock:mcp:pin', pinWords(s.package.pin));
    }
    if (s.url && !endpoint) addProperty(e, 'airlock:mcp:url', s.url);
    if (s.transport) addProperty(e, 'airlock:mcp:transport', s.transport);
    if (s.envNames.length > 0) addProperty(e, 'airlock:mcp:env', s.envNames.join(','));
    if (s.disabled) addProperty(e, 'airlock:mcp:disabled', 'true');
    e.occurrences.push(s.at);
  }

  // LLM providers the code calls, with the model names it asks for.
  for (const u of input.llm) {
    const e = entry(`llm:${u.provider.id}`, 'service', 0, () => providerService(u.provider));
    if (u.model) addProperty(e, 'airlock:llm:model', u.model);
    addProperty(e, 'airlock:llm:via', u.via);
    e.occurrences.push(u.at);
  }

  // Findings, on the entries whose code or config they point into.
  let attached = 0;
  for (const item of input.findings) {
    const f = item.finding;
    const at = `${rel(item.file.path)}${f.binary ? '' : `:${item.start.line + 1}:${item.start.character + 1}`}`;
    let hit = false;
    for (const e of entries.values()) {
      if (!e.occurrences.some((o) => o.path === item.file.path && (!o.range || overlaps(o.range, f.range)))) continue;
      addProperty(e, 'airlock:finding', `${f.ruleId} (${f.severity}) at ${at}`);
      hit = true;
    }
    if (hit) attached++;
  }

  const sorted = [...entries.values()].sort((a, b) => a.order - b.order || a.ref.localeCompare(b.ref));
  const finish = (e: Entry) => {
    const out: Record<string, unknown> = { 'bom-ref': e.ref, ...e.body };
    if (e.kind === 'component') {
      const occurrences = uniqueOccurrences(e.occurrences).map((o) => ({ location: rel(o.path), ...(o.line && { line: o.line }) }));
      out.evidence = { occurrences };
    } else {
      for (const o of uniqueOccurrences(e.occurrences)) e.properties.push({ name: 'airlock:occurrence', value: `${rel(o.path)}${o.line ? `:${o.line}` : ''}` });
    }
    if (e.properties.length > 0) out.properties = e.properties;
    return out;
  };
  const components = sorted.filter((e) => e.kind === 'component').map(finish);
  const services = sorted.filter((e) => e.kind === 'service').map(finish);

  const counts = countBySeverity(input.findings.map((l) => l.finding));
  const byRule = new Map<string, number>();
  for (const l of input.findings) byRule.set(l.finding.ruleId, (byRule.get(l.finding.ruleId) ?? 0) + 1);
  const summary: Property[] = [
    { name: 'airlock:findings', value: String(input.findings.length) },
    { name: 'airlock:findings:error', value: String(counts.error) },
    { name: 'airlock:findings:warning', value: String(counts.warning) },
    { name: 'airlock:findings:info', value: String(counts.info) },
    { name: 'airlock:findings:attached', value: String(attached) },
    ...[...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, n]) => ({ name: `airlock:findings:rule:${rule}`, value: String(n) })),
    { name: 'airlock:files-scanned', value: String(input.filesScanned) },
    { name: 'airlock:files-skipped', value: String(input.skipped) },
  ];

  return {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: CYCLONEDX_SPEC_VERSION,
    serialNumber: input.serialNumber,
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: 'application', name: input.tool.name, version: input.tool.version, externalReferences: [{ type: 'website', url: PROJECT_URL }] }] },
      component: { type: 'application', 'bom-ref': 'project', name: input.projectName },
      properties: summary,
    },
    components,
    services,
    dependencies: [{ ref: 'project', dependsOn: sorted.map((e) => e.ref) }],
  };
}

function providerService(p: Provider): Record<string, unknown> {
  return { provider: { name: p.name, url: [p.url] }, name: `${p.name} API`, ...(p.endpoint && { endpoints: [p.endpoint] }), 'x-trust-boundary': true };
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  if (b.start === b.end) return a.start <= b.start && b.start <= a.end;
  return b.start < a.end && a.start < b.end;
}

function uniqueOccurrences(list: Occurrence[]): Occurrence[] {
  const seen = new Set<string>();
  const out: Occurrence[] = [];
  for (const o of list) {
    const key = `${o.path}:${o.line ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out.sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0));
}

const PIN_WORDS: Record<Pin, string> = {
  exact: 'exact version',
  digest: 'image digest',
  none: 'unpinned (no version)',
  latest: 'unpinned (latest)',
  tag: 'tag (can be moved)',
  range: 'version range',
  vcs: 'git reference without a commit',
  'vcs-pinned': 'git commit',
  local: 'local path',
  url: 'URL',
};

function pinWords(pin: Pin): string {
  return PIN_WORDS[pin];
}
