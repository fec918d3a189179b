// Python dependency manifests: what a project says it installs, read from the files next to the
// code (requirements*.txt with -r/-c includes, pyproject.toml in PEP 621 and Poetry form, Pipfile,
// poetry.lock, uv.lock, Pipfile.lock, conda environment.yml). Rules use it to judge code by the
// library versions the project pins (torch ≥ 2.6 loads weights-only by default); an AI bill of
// materials can list it. Reads local files only, never the network, and never throws on a
// malformed manifest: what cannot be read is skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseToml } from 'smol-toml';
import { compareVersions, specifierBounds, type VersionBounds } from './versions';

export { atLeast, compareVersions, parseVersion, specifierBounds } from './versions';

export type ManifestKind = 'requirements' | 'pyproject' | 'pipfile' | 'poetry-lock' | 'uv-lock' | 'pipfile-lock' | 'conda';

export interface PythonDependency {
  /** PEP 503-normalized name (`Sentence_Transformers` → `sentence-transformers`); conda names as conda spells them. */
  name: string;
  /** The version constraint as written (`>=2.6,<3`, `^2.6`, `==2.6.0`), or '' when there is none. */
  specifier: string;
  exactVersion?: string;
  /** The lowest version the constraint allows (see VersionBounds). */
  minimumVersion?: string;
  extras: string[];
  /** PEP 508 environment marker (`python_version >= "3.9"`), when one is given. */
  marker?: string;
  /** Where the package comes from when not from the index: a URL, a VCS reference, a local path. */
  url?: string;
  ecosystem: 'pypi' | 'conda';
  manifest: ManifestKind;
  /** From a lock file: the version that is installed, not a constraint. */
  locked: boolean;
  /** From a pip constraints file (`-c`): bounds a version without adding the package. */
  constraint?: boolean;
  /** An optional-dependency extra, a dependency group, `dev`, or the conda `pip` section. */
  group?: string;
  /** Absolute path of the file that lists it. */
  file: string;
  /** 1-based line in that file (the table or section when the exact line cannot be found). */
  line: number;
  /** Set by findPythonDependencies: how many folders above the start the manifest was found. */
  distance?: number;
}

/** Manifests above this size are skipped: no real one comes close, and reading is synchronous. */
const MAX_BYTES = 8 * 1024 * 1024;
const MAX_INCLUDE_DEPTH = 8;

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/[-_.]+/g, '-');
}

function readText(file: string): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile() || stat.size > MAX_BYTES) return undefined;
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function bounded(spec: string, dialect: 'pep440' | 'poetry' | 'conda'): VersionBounds {
  return specifierBounds(spec, dialect);
}

// ---------------------------------------------------------------------------------------------
// PEP 508 requirement strings (requirements files, PEP 621, dependency groups, conda pip sections)

interface Requirement {
  name: string;
  specifier: string;
  extras: string[];
  marker?: string;
  url?: string;
  bounds: VersionBounds;
}

/** `name-version-...whl` / `name-version.tar.gz`: the version a direct file reference installs. */
function versionFromArchive(url: string): { name: string; version: string } | undefined {
  const file = decodeURIComponent(url.split(/[?#]/)[0].split('/').pop() ?? '');
  const wheel = /^([A-Za-z0-9_.]+)-([0-9][^-]*)-.+\.whl$/.exec(file);
  if (wheel) return { name: wheel[1], version: wheel[2] };
  const sdist = /^([A-Za-z0-9_.-]+?)-([0-9][A-Za-z0-9.+!_-]*?)\.(?:tar\.gz|tar\.bz2|zip|tgz)$/.exec(file);
  return sdist ? { name: sdist[1], version: sdist[2] } : undefined;
}

export function parseRequirement(text: string): Requirement | undefined {
  const trimmed = text.trim();
  // A bare URL or path to an archive (`https://…/torch-2.6.0-cp311-…whl`): the file name says what it is.
  if (/^(https?|file):\/\//i.test(trimmed) || /\.(whl|tar\.gz|zip)$/i.test(trimmed)) {
    const archive = versionFromArchive(trimmed);
    return archive ? { name: normalizeName(archive.name), specifier: `==${archive.version}`, extras: [], url: trimmed, bounds: { exactVersion: archive.version, minimumVersion: archive.version } } : undefined;
  }
  const m = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$/s.exec(trimmed);
  if (!m) return undefined;
  const extras = m[2] ? m[2].split(',').map((e) => e.trim()).filter(Boolean) : [];
  let rest = m[3].trim();
  let marker: string | undefined;
  let url: string | undefined;
  if (rest.startsWith('@')) {
    // `name @ url ; marker`: a space must precede the marker's `;` in a URL requirement.
    const semi = rest.search(/\s;/);
    url = (semi >= 0 ? rest.slice(1, semi) : rest.slice(1)).trim();
    marker = semi >= 0 ? rest.slice(semi + 2).trim() || undefined : undefined;
    const archive = versionFromArchive(url);
    const bounds = archive ? { exactVersion: archive.version, minimumVersion: archive.version } : {};
    return { name: normalizeName(m[1]), specifier: archive ? `==${archive.version}` : '', extras, marker, url, bounds };
  }
  const semi = rest.indexOf(';');
  if (semi >= 0) {
    marker = rest.slice(semi + 1).trim() || undefined;
    rest = rest.slice(0, semi).trim();
  }
  const specifier = rest.replace(/^\((.*)\)$/, '$1').replace(/\s+/g, '');
  if (specifier && !/^[<>=!~]/.test(specifier)) return undefined;
  return { name: normalizeName(m[1]), specifier, extras, marker, url, bounds: bounded(specifier, 'pep440') };
}

function fromRequirement(req: Requirement, base: Omit<PythonDependency, 'name' | 'specifier' | 'extras'>): PythonDependency {
  const dep: PythonDependency = { ...base, name: req.name, specifier: req.specifier, extras: req.extras };
  if (req.marker) dep.marker = req.marker;
  if (req.url) dep.url = req.url;
  if (req.bounds.exactVersion) dep.exactVersion = req.bounds.exactVersion;
  if (req.bounds.minimumVersion) dep.minimumVersion = req.bounds.minimumVersion;
  return dep;
}

// ---------------------------------------------------------------------------------------------
// requirements files

/** Reads a requirements file and the files it includes; `seen` guards include cycles. */
export function readRequirementsFile(file: string, seen = new Set<string>(), depth = 0, constraint = false, group?: string): PythonDependency[] {
  const path = resolve(file);
  if (seen.has(path) || depth > MAX_INCLUDE_DEPTH) return [];
  seen.add(path);
  const text = readText(path);
  return text === undefined ? [] : parseRequirementsText(text, path, { seen, depth, constraint, group });
}

export function parseRequirementsText(text: string, file: string, options: { seen?: Set<string>; depth?: number; constraint?: boolean; group?: string; manifest?: ManifestKind } = {}): PythonDependency[] {
  const out: PythonDependency[] = [];
  const seen = options.seen ?? new Set<string>([resolve(file)]);
  const depth = options.depth ?? 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    let line = lines[i];
    // A backslash at the end continues the line.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) line = line.replace(/\\\s*$/, ' ') + lines[++i];
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)/.exec(line);
    if (include) {
      const target = isAbsolute(include[2]) ? include[2] : join(dirname(file), include[2]);
      const isConstraint = include[1] === '-c' || include[1] === '--constraint';
      out.push(...readRequirementsFile(target, seen, depth + 1, options.constraint || isConstraint, options.group));
      continue;
    }
    // Editable installs name a path or VCS URL; `#egg=name` says which package it is.
    const editable = /^(?:-e|--editable)(?:\s*=\s*|\s+)(\S+)/.exec(line);
    if (editable) {
      const egg = /#egg=([A-Za-z0-9._-]+)/.exec(editable[1]);
      if (egg) out.push({ name: normalizeName(egg[1]), specifier: '', extras: [], url: editable[1], ecosystem: 'pypi', manifest: options.manifest ?? 'requirements', locked: false, file, line: startLine, ...(options.group ? { group: options.group } : {}) });
      continue;
    }
    if (line.startsWith('-')) continue; // --index-url, --find-links, --hash on its own line…
    // Per-requirement options (`--hash=…`, `--config-settings …`) follow the requirement.
    const requirementText = line.split(/\s+--?[a-zA-Z]/)[0].trim();
    const vcs = /^(git|hg|svn|bzr)\+\S+#egg=([A-Za-z0-9._-]+)/.exec(requirementText);
    const req = vcs ? { name: normalizeName(vcs[2]), specifier: '', extras: [], url: requirementText, bounds: {} } : parseRequirement(requirementText);
    if (!req) continue;
    const dep = fromRequirement(req, { ecosystem: 'pypi', manifest: options.manifest ?? 'requirements', locked: false, file, line: startLine });
    if (options.constraint) dep.constraint = true;
    if (options.group) dep.group = options.group;
    out.push(dep);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// TOML manifests

type Toml = Record<string, unknown>;

function asTable(v: unknown): Toml | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Toml) : undefined;
}

function parseTomlText(text: string): Toml | undefined {
  try {
    return parseToml(text) as Toml;
  } catch {
    return undefined;
  }
}

/** Finds where quoted strings and keys sit in a TOML text (smol-toml keeps no positions). */
class TomlLines {
  constructor(private readonly text: string) {}

  /** Offset of a table header like `[project.optional-dependencies]`, or -1. */
  header(name: string): number {
    const m = new RegExp(`^[ \\t]*\\[\\[?[ \\t]*${name.split('.').map((p) => `(?:"${escapeRegExp(p)}"|'${escapeRegExp(p)}'|${escapeRegExp(p)})`).join('[ \\t]*\\.[ \\t]*')}[ \\t]*\\]\\]?`, 'm').exec(this.text);
    return m ? m.index : -1;
  }

  /** Line of `key =` at or after `from`, else of `from`. */
  keyLine(key: string, from: number): number {
    const re = new RegExp(`^[ \\t]*(?:"${escapeRegExp(key)}"|'${escapeRegExp(key)}'|${escapeRegExp(key)})[ \\t]*=`, 'mg');
    re.lastIndex = Math.max(0, from);
    const m = re.exec(this.text);
    return lineAt(this.text, m ? m.index : Math.max(0, from));
  }

  /** Line of the quoted string `value` at or after `from` (the cursor moves past it), else of `from`. */
  stringLine(value: string, cursor: { at: number }): number {
    for (const quote of ['"', "'"]) {
      const i = this.text.indexOf(`${quote}${value}${quote}`, cursor.at);
      if (i >= 0) {
        cursor.at = i + value.length + 2;
        return lineAt(this.text, i);
      }
    }
    return lineAt(this.text, Math.max(0, cursor.at));
  }
}

function requirementList(list: unknown, file: string, lines: TomlLines, cursor: { at: number }, group?: string): PythonDependency[] {
  if (!Array.isArray(list)) return [];
  const out: PythonDependency[] = [];
  for (const item of list) {
    if (typeof item !== 'string') continue; // `{ include-group = "…" }` in dependency groups
    const req = parseRequirement(item);
    if (!req) continue;
    const dep = fromRequirement(req, { ecosystem: 'pypi', manifest: 'pyproject', locked: false, file, line: lines.stringLine(item, cursor) });
    if (group) dep.group = group;
    out.push(dep);
  }
  return out;
}

/** A Poetry / Pipfile dependency value: `"^2.6"`, `{ version = "^2.6", extras = [...] }`, or a list of those. */
function tableDependencies(table: Toml | undefined, file: string, lines: TomlLines, headerName: string, manifest: ManifestKind, group?: string): PythonDependency[] {
  if (!table) return [];
  const out: PythonDependency[] = [];
  const header = lines.header(headerName);
  for (const [rawName, value] of Object.entries(table)) {
    if (normalizeName(rawName) === 'python') continue; // the interpreter constraint, not a package
    const entries = Array.isArray(value) ? value : [value];
    for (const entry of entries) {
      const spec = typeof entry === 'string' ? entry : typeof asTable(entry)?.version === 'string' ? (asTable(entry)!.version as string) : '';
      const details = asTable(entry);
      const extrasValue = details?.extras;
      const extras = Array.isArray(extrasValue) ? extrasValue.filter((e): e is string => typeof e === 'string') : [];
      const bounds = bounded(spec, manifest === 'pipfile' ? 'pep440' : 'poetry');
      const dep: PythonDependency = { name: normalizeName(rawName), specifier: spec === '*' ? '' : spec, extras, ecosystem: 'pypi', manifest, locked: false, file, line: lines.keyLine(rawName, header) };
      if (bounds.exactVersion) dep.exactVersion = bounds.exactVersion;
      if (bounds.minimumVersion) dep.minimumVersion = bounds.minimumVersion;
      const marker = details?.markers;
      if (typeof marker === 'string') dep.marker = marker;
      const source = ['git', 'url', 'path', 'file'].map((k) => details?.[k]).find((v) => typeof v === 'string');
      if (typeof source === 'string') dep.url = source;
      if (group) dep.group = group;
      out.push(dep);
    }
  }
  return out;
}

export function parsePyproject(text: string, file: string): PythonDependency[] {
  const doc = parseTomlText(text);
  if (!doc) return [];
  const lines = new TomlLines(text);
  const out: PythonDependency[] = [];
  const project = asTable(doc.project);
  if (project) {
    const start = lines.header('project');
    out.push(...requirementList(project.dependencies, file, lines, { at: Math.max(0, start) }));
    const optional = asTable(project['optional-dependencies']);
    const optionalStart = Math.max(0, lines.header('project.optional-dependencies'), start);
    for (const [group, list] of Object.entries(optional ?? {})) out.push(...requirementList(list, file, lines, { at: optionalStart }, group));
  }
  // PEP 735 dependency groups.
  const groups = asTable(doc['dependency-groups']);
  const groupsStart = Math.max(0, lines.header('dependency-groups'));
  for (const [group, list] of Object.entries(groups ?? {})) out.push(...requirementList(list, file, lines, { at: groupsStart }, group));

  const tool = asTable(doc.tool);
  const poetry = asTable(tool?.poetry);
  if (poetry) {
    out.push(...tableDependencies(asTable(poetry.dependencies), file, lines, 'tool.poetry.dependencies', 'pyproject'));
    out.push(...tableDependencies(asTable(poetry['dev-dependencies']), file, lines, 'tool.poetry.dev-dependencies', 'pyproject', 'dev'));
    for (const [group, body] of Object.entries(asTable(poetry.group) ?? {})) {
      out.push(...tableDependencies(asTable(asTable(body)?.dependencies), file, lines, `tool.poetry.group.${group}.dependencies`, 'pyproject', group));
    }
  }
  const uv = asTable(tool?.uv);
  if (uv) out.push(...requirementList(uv['dev-dependencies'], file, lines, { at: Math.max(0, lines.header('tool.uv')) }, 'dev'));
  return out;
}

export function parsePipfile(text: string, file: string): PythonDependency[] {
  const doc = parseTomlText(text);
  if (!doc) return [];
  const lines = new TomlLines(text);
  return [
    ...tableDependencies(asTable(doc.packages), file, lines, 'packages', 'pipfile'),
    ...tableDependencies(asTable(doc['dev-packages']), file, lines, 'dev-packages', 'pipfile', 'dev'),
  ];
}

/** poetry.lock and uv.lock: `[[package]]` tables with an exact `version`. */
export function parseTomlLock(text: string, file: string, manifest: 'poetry-lock' | 'uv-lock'): PythonDependency[] {
  const doc = parseTomlText(text);
  const packages = doc?.package;
  if (!Array.isArray(packages)) return [];
  const out: PythonDependency[] = [];
  const cursor = { at: 0 };
  for (const p of packages) {
    const table = asTable(p);
    if (typeof table?.name !== 'string') continue;
    // Packages appear in file order, so each `name = "…"` is searched after the previous one.
    const re = new RegExp(`^[ \\t]*name[ \\t]*=[ \\t]*["']${escapeRegExp(table.name)}["']`, 'mg');
    re.lastIndex = cursor.at;
    const m = re.exec(text);
    if (m) cursor.at = m.index + m[0].length;
    const version = typeof table.version === 'string' ? table.version : undefined;
    const dep: PythonDependency = { name: normalizeName(table.name), specifier: version ? `==${version}` : '', extras: [], ecosystem: 'pypi', manifest, locked: true, file, line: m ? lineAt(text, m.index) : 1 };
    if (version) dep.exactVersion = dep.minimumVersion = version;
    const source = asTable(table.source);
    const sourceUrl = ['git', 'url', 'path', 'editable', 'directory'].map((k) => source?.[k]).find((v) => typeof v === 'string');
    if (typeof sourceUrl === 'string' && !source?.registry) dep.url = sourceUrl;
    const category = table.category;
    if (typeof category === 'string' && category !== 'main') dep.group = category;
    out.push(dep);
  }
  return out;
}

export function parsePipfileLock(text: string, file: string): PythonDependency[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const out: PythonDependency[] = [];
  const cursor = { at: 0 };
  for (const section of ['default', 'develop'] as const) {
    const table = asTable(asTable(doc)?.[section]);
    for (const [rawName, value] of Object.entries(table ?? {})) {
      const entry = asTable(value);
      const spec = typeof entry?.version === 'string' ? entry.version : '';
      const at = text.indexOf(`"${rawName}"`, cursor.at);
      if (at >= 0) cursor.at = at + rawName.length + 2;
      const bounds = bounded(spec, 'pep440');
      const dep: PythonDependency = { name: normalizeName(rawName), specifier: spec, extras: [], ecosystem: 'pypi', manifest: 'pipfile-lock', locked: true, file, line: at >= 0 ? lineAt(text, at) : 1 };
      if (bounds.exactVersion) dep.exactVersion = bounds.exactVersion;
      if (bounds.minimumVersion) dep.minimumVersion = bounds.minimumVersion;
      if (typeof entry?.markers === 'string') dep.marker = entry.markers;
      if (section === 'develop') dep.group = 'dev';
      out.push(dep);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// conda environment files (line-based: the format in use is a small, regular YAML subset)

/** A conda match spec: `pytorch`, `pytorch=2.6`, `pytorch==2.6.0`, `pytorch>=2.6`, `conda-forge::pytorch 2.6.0 cuda*`, `pytorch[version='>=2.6']`. */
export function parseCondaSpec(text: string): { name: string; specifier: string; bounds: VersionBounds } | undefined {
  const spec = text.trim().replace(/^["']|["']$/g, '').replace(/^[^\s:]+::/, '');
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*(.*)$/.exec(spec);
  if (!m) return undefined;
  let rest = m[2].trim();
  const bracket = /\[\s*version\s*=\s*['"]?([^'"\]]+)['"]?/.exec(rest);
  if (bracket) rest = bracket[1];
  else if (rest.startsWith('[')) rest = '';
  // `=2.6.0=build` / `2.6.0 build`: the version is the first part, the build string follows.
  if (/^=[^=]/.test(rest)) rest = '=' + rest.slice(1).split('=')[0];
  else if (/^\d/.test(rest)) rest = rest.split(/[\s=]/)[0];
  return { name: m[1].toLowerCase(), specifier: rest, bounds: bounded(rest, 'conda') };
}

export function parseEnvironmentYaml(text: string, file: string, seen = new Set<string>()): PythonDependency[] {
  seen.add(resolve(file));
  const out: PythonDependency[] = [];
  const lines = text.split(/\r?\n/);
  let inDependencies = false;
  let pipIndent = -1;
  const pipLines: { text: string; line: number }[] = [];
  const flushPip = () => {
    if (pipLines.length === 0) return;
    // pip sections are requirement lines (`-r requirements.txt` included), read relative to this file.
    for (const { text: body, line } of pipLines) {
      for (const dep of parseRequirementsText(body, file, { seen, group: 'pip' })) out.push({ ...dep, manifest: dep.file === file ? 'conda' : dep.manifest, line: dep.file === file ? line : dep.line });
    }
    pipLines.length = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\s+#.*$/, '');
    if (!raw.trim() || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0 && !raw.startsWith('-')) {
      inDependencies = /^dependencies\s*:/.test(raw);
      pipIndent = -1;
      continue;
    }
    if (!inDependencies) continue;
    const item = /^(\s*)-\s+(.*)$/.exec(raw);
    if (!item) continue;
    const itemIndent = item[1].length;
    const body = item[2].trim();
    if (pipIndent >= 0 && itemIndent > pipIndent) {
      pipLines.push({ text: body.replace(/^["']|["']$/g, ''), line: i + 1 });
      continue;
    }
    pipIndent = -1;
    if (/^pip\s*:\s*$/.test(body)) {
      pipIndent = itemIndent;
      continue;
    }
    const spec = parseCondaSpec(body);
    if (!spec) continue;
    const dep: PythonDependency = { name: spec.name, specifier: spec.specifier, extras: [], ecosystem: 'conda', manifest: 'conda', locked: false, file, line: i + 1 };
    if (spec.bounds.exactVersion) dep.exactVersion = spec.bounds.exactVersion;
    if (spec.bounds.minimumVersion) dep.minimumVersion = spec.bounds.minimumVersion;
    out.push(dep);
  }
  flushPip();
  return out;
}

// ---------------------------------------------------------------------------------------------
// Finding the manifests of a file

const REQUIREMENTS_FILE = /^requirements[\w.-]*\.(txt|in)$/i;
const CONDA_FILE = /^(environment|conda|env)[\w.-]*\.ya?ml$/i;

/**
 * Reads one manifest by its file name; [] for names it does not know. `seen` collects every file
 * read (includes too) and skips files already read, so one search reads each file once.
 */
export function readPythonManifest(file: string, seen = new Set<string>()): PythonDependency[] {
  const path = resolve(file);
  const name = basename(path);
  const lower = name.toLowerCase();
  if (REQUIREMENTS_FILE.test(name) || (basename(dirname(path)) === 'requirements' && /\.(txt|in)$/i.test(name))) return readRequirementsFile(path, seen);
  if (seen.has(path)) return [];
  seen.add(path);
  const text = readText(path);
  if (text === undefined) return [];
  if (lower === 'pyproject.toml') return parsePyproject(text, path);
  if (name === 'Pipfile') return parsePipfile(text, path);
  if (lower === 'poetry.lock') return parseTomlLock(text, path, 'poetry-lock');
  if (lower === 'uv.lock') return parseTomlLock(text, path, 'uv-lock');
  if (lower === 'pipfile.lock') return parsePipfileLock(text, path);
  if (CONDA_FILE.test(name) && /^dependencies\s*:/m.test(text)) return parseEnvironmentYaml(text, path, seen);
  return [];
}

/** Lock files first (they say what is installed), then declarations, then requirements files. */
const ORDER = ['uv.lock', 'poetry.lock', 'Pipfile.lock', 'pyproject.toml', 'Pipfile'];

/** The manifest files of one folder (including a `requirements/` folder), in reading order. */
export function manifestFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const present = new Set(names);
  const out = ORDER.filter((n) => present.has(n)).map((n) => join(dir, n));
  out.push(...names.filter((n) => REQUIREMENTS_FILE.test(n)).sort().map((n) => join(dir, n)));
  if (present.has('requirements')) {
    try {
      out.push(...readdirSync(join(dir, 'requirements')).filter((n) => /\.(txt|in)$/i.test(n)).sort().map((n) => join(dir, 'requirements', n)));
    } catch {
      // not a folder
    }
  }
  out.push(...names.filter((n) => CONDA_FILE.test(n)).sort().map((n) => join(dir, n)));
  return out;
}

function isRepositoryRoot(dir: string): boolean {
  try {
    statSync(join(dir, '.git'));
    return true;
  } catch {
    return false;
  }
}

/**
 * The Python dependencies declared for code in `startDir`: the manifests of that folder and of
 * every folder above it, nearest first, up to `stopAt` (a workspace folder), the repository root
 * (a folder holding `.git`) or the file-system root, whichever comes first. Each entry says its
 * file and line; `distance` says how far up its manifest was found.
 */
export function findPythonDependencies(startDir: string, stopAt?: string): PythonDependency[] {
  return searchDependencies(startDir, stopAt).dependencies;
}

interface Search {
  dependencies: PythonDependency[];
  /** Every folder listed and file read, with what stat said then: the cache's validity check. */
  stamps: Map<string, string>;
}

function stampOf(path: string): string {
  try {
    const s = statSync(path);
    return `${s.mtimeMs}:${s.size}`;
  } catch {
    return 'missing';
  }
}

function searchDependencies(startDir: string, stopAt?: string): Search {
  const stamps = new Map<string, string>();
  const dependencies: PythonDependency[] = [];
  const stop = stopAt ? resolve(stopAt) : undefined;
  const seen = new Set<string>();
  let dir = resolve(startDir);
  for (let distance = 0; distance < 64; distance++) {
    // A folder's modification time changes when a manifest is added, removed or renamed in it.
    stamps.set(dir, stampOf(dir));
    const requirementsDir = join(dir, 'requirements');
    stamps.set(requirementsDir, stampOf(requirementsDir));
    for (const file of manifestFilesIn(dir)) {
      for (const dep of readPythonManifest(file, seen)) dependencies.push({ ...dep, distance });
    }
    const parent = dirname(dir);
    if (dir === stop || parent === dir || isRepositoryRoot(dir)) break;
    dir = parent;
  }
  // Every file read, included ones too (a missing include is stamped 'missing', so creating it counts).
  for (const file of seen) stamps.set(file, stampOf(file));
  return { dependencies, stamps };
}

/**
 * findPythonDependencies with a cache for callers that ask on every analysis (the language
 * server re-analyzes on each edit): an entry is reused while every folder and file it read
 * still has the same modification time and size, so edits and new manifests are seen at once.
 */
export class PythonDependencyCache {
  private readonly entries = new Map<string, Search>();
  constructor(private readonly capacity = 256) {}

  get(startDir: string, stopAt?: string): PythonDependency[] {
    const key = `${resolve(startDir)}\0${stopAt ?? ''}`;
    const cached = this.entries.get(key);
    if (cached && [...cached.stamps].every(([path, stamp]) => stampOf(path) === stamp)) {
      // Refresh its place so the least recently used entry is the one dropped.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached.dependencies;
    }
    const search = searchDependencies(startDir, stopAt);
    this.entries.delete(key);
    this.entries.set(key, search);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return search.dependencies;
  }
}

/**
 * The folder a document lives in, from the path or URI the engine was given: a `file://` URI or
 * an absolute path. Undefined for anything else (untitled editors, relative or virtual paths),
 * which then has no manifests.
 */
export function documentFolder(pathOrUri: string): string | undefined {
  if (/^file:/i.test(pathOrUri)) {
    try {
      return dirname(fileURLToPath(pathOrUri));
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]+:/i.test(pathOrUri) && !/^[a-z]:[\\/]/i.test(pathOrUri)) return undefined;
  return isAbsolute(pathOrUri) ? dirname(pathOrUri) : undefined;
}

/** Conda names for PyPI packages (conda-forge and the pytorch channel call torch `pytorch`). */
const CONDA_NAMES: Record<string, string[]> = { torch: ['pytorch', 'pytorch-cpu', 'pytorch-gpu'], tensorflow: ['tensorflow', 'tensorflow-cpu', 'tensorflow-gpu'] };

function isPackage(dep: PythonDependency, name: string): boolean {
  const wanted = normalizeName(name);
  if (dep.ecosystem === 'pypi') return dep.name === wanted;
  return dep.name === wanted || (CONDA_NAMES[wanted] ?? []).includes(dep.name);
}

/**
 * The evidence for the lowest version of `name` the project can be running: among the entries
 * that bound its version, those found nearest (smallest `distance`); of those, lock-file entries
 * when there are any (they say what is installed); and of those, the lowest minimum, so that a
 * check like "torch ≥ 2.6" holds only when every nearest declaration guarantees it.
 */
export function lowestVersionOf(deps: readonly PythonDependency[], name: string): { version: string; dependency: PythonDependency } | undefined {
  const bounded = deps.filter((d) => isPackage(d, name) && d.minimumVersion);
  if (bounded.length === 0) return undefined;
  const nearest = Math.min(...bounded.map((d) => d.distance ?? 0));
  let candidates = bounded.filter((d) => (d.distance ?? 0) === nearest);
  if (candidates.some((d) => d.locked)) candidates = candidates.filter((d) => d.locked);
  let best = candidates[0];
  for (const d of candidates) if (compareVersions(d.minimumVersion!, best.minimumVersion!) < 0) best = d;
  return { version: best.minimumVersion!, dependency: best };
}

/** The lowest version of `name` the manifests guarantee (see lowestVersionOf), or undefined. */
export function minimumVersionOf(deps: readonly PythonDependency[], name: string): string | undefined {
  return lowestVersionOf(deps, name)?.version;
}
