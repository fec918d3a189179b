// What a file is: its language (which parser, if any) and its kinds (MCP config, agent rules
// file, prompt template…), from its path. The workspace scan, the language server and the
// rules all ask this one module, so a file is the same thing everywhere.
import type { FileKind, GrammarLanguageId, LanguageId } from './types';

export interface FileClass {
  language: LanguageId;
  kinds: ReadonlySet<FileKind>;
}

const CODE: Record<string, LanguageId> = {
  '.py': 'python',
  '.pyi': 'python',
  '.pyw': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
};

const DATA: Record<string, LanguageId> = {
  '.json': 'json',
  '.jsonc': 'json',
  '.json5': 'json',
  '.ipynb': 'json',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.toml': 'toml',
  '.md': 'markdown',
  '.mdc': 'markdown',
  '.markdown': 'markdown',
  '.prompty': 'markdown',
  '.prompt': 'markdown',
  '.jinja': 'text',
  '.jinja2': 'text',
  '.j2': 'text',
  '.mustache': 'text',
  '.hbs': 'text',
};

/** Agent instruction files known by name (plain text or Markdown). */
const RULES_FILES = new Set(['.cursorrules', '.windsurfrules', '.clinerules', 'agents.md', 'claude.md', 'gemini.md', 'skill.md', 'copilot-instructions.md']);

/** Generated dependency locks: large, machine-written, nothing to find. */
const LOCKFILES = new Set(['package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'poetry.lock', 'uv.lock', 'pipfile.lock', 'composer.lock', 'cargo.lock', 'bun.lockb']);

const EDITOR_IDS: Record<string, LanguageId> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
};

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/** `file:///a/b.py`, `C:\\a\\b.py`, `/a/b.py` → `/a/b.py`-style forward-slash path, lower-cased for matching. */
function normalise(path: string): string {
  let p = path;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) p = decodeURIComponent(new URL(p).pathname);
  } catch {}
  return p.replace(/\\/g, '/').toLowerCase();
}

function kindsOf(p: string, name: string, ext: string, language: LanguageId): Set<FileKind> {
  const kinds = new Set<FileKind>();
  if (CODE[ext]) kinds.add('code');
  // MCP client configurations (Claude Desktop/Code, Cursor, VS Code, Windsurf, Cline, Roo, Gemini, Codex).
  if (
    name === '.mcp.json' ||
    name === 'claude_desktop_config.json' ||
    name === 'mcp_config.json' ||
    name === 'cline_mcp_settings.json' ||
    name === 'mcp_settings.json' ||
    (name === 'mcp.json' && /(^|\/)\.(cursor|vscode|roo|kiro)\/mcp\.json$/.test(p)) ||
    /(^|\/)\.gemini\/settings\.json$/.test(p) ||
    /(^|\/)\.codex\/config\.toml$/.test(p)
  ) {
    kinds.add('mcp');
  }
  // Agent permission and settings files.
  if (/(^|\/)\.claude\/settings(\.local)?\.json$/.test(p) || /(^|\/)\.codex\/config\.toml$/.test(p) || /(^|\/)\.gemini\/settings\.json$/.test(p) || /(^|\/)\.vscode\/(settings|tasks)\.json$/.test(p)) {
    kinds.add('perm');
  }
  // Agent instruction ("rules") files.
  if (
    RULES_FILES.has(name) ||
    /(^|\/)\.cursor\/rules\/.+\.mdc?$/.test(p) ||
    /(^|\/)\.clinerules\/.+\.md$/.test(p) ||
    /(^|\/)\.github\/instructions\/.+\.instructions\.md$/.test(p) ||
    /(^|\/)\.github\/prompts\/.+\.prompt\.md$/.test(p) ||
    /(^|\/)\.claude\/(commands|agents|skills)\/.+\.md$/.test(p) ||
    /(^|\/)\.windsurf\/rules\/.+\.md$/.test(p)
  ) {
    kinds.add('rules');
  }
  // Prompt templates.
  if (['.prompty', '.prompt', '.jinja', '.jinja2', '.j2', '.mustache', '.hbs'].includes(ext) || /\.prompt\.(md|ya?ml|json)$/.test(name) || /(^|\/)prompts?\//.test(p)) {
    if (!CODE[ext]) kinds.add('prompt');
  }
  if (name === '.env' || name.startsWith('.env.') || ext === '.env') kinds.add('env');
  if (ext === '.ipynb') kinds.add('notebook');
  if (kinds.size === 0) kinds.add(language === 'markdown' ? 'docs' : 'config');
  return kinds;
}

/** What a file is, or undefined for files Airlock does not read (images, lockfiles, unknown types). */
export function classifyFile(path: string, editorLanguageId?: string): FileClass | undefined {
  const p = normalise(path);
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (LOCKFILES.has(name)) return undefined;
  const ext = extensionOf(name);
  let language: LanguageId | undefined = (editorLanguageId && EDITOR_IDS[editorLanguageId]) || CODE[ext] || (p.endsWith('.d.ts') ? 'typescript' : undefined) || DATA[ext];
  if (!language && RULES_FILES.has(name)) language = 'markdown';
  if (!language && (name === '.env' || name.startsWith('.env.'))) language = 'text';
  if (!language) return undefined;
  return { language, kinds: kindsOf(p, name, ext, language) };
}

/** The grammar family rules are written for: JS rules also run on TypeScript and TSX. */
export function isJavaScriptFamily(language: LanguageId): boolean {
  return language === 'javascript' || language === 'typescript' || language === 'tsx';
}

export function hasGrammar(language: LanguageId): language is GrammarLanguageId {
  return language !== 'toml' && language !== 'markdown' && language !== 'text';
}

/** Glob patterns of every file the workspace scan reads (then filtered by classifyFile). */
export const SCAN_PATTERNS = [
  ...[...Object.keys(CODE), ...Object.keys(DATA)].map((ext) => `**/*${ext}`),
  '**/.cursorrules',
  '**/.windsurfrules',
  '**/.clinerules',
  '**/.env',
  '**/.env.*',
];
