import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { configDocument, get, mcpServersOf, replaceInString, substringRange, type ConfigString, type McpClient, type McpServer } from '../config-files';
import { launchOf } from './lib/launchers';
import { isCredentialName, literalSecret, urlPassword, urlQuerySecrets } from './lib/secrets';

type Place = 'env' | 'header' | 'argument' | 'url';

interface State extends TextDetection {
  server: string;
  client: McpClient;
  place: Place;
  /** The env var, header or option name it is stored under. */
  name: string;
  description: string;
  masked: string;
  /** The reference that replaces the literal, in this client's syntax. */
  replacement?: { text: string; variable: string; edit: TextEdit };
}

/**
 * How each client fills a value from the environment: VS Code, Cursor, Windsurf and Roo expand
 * `${env:NAME}`; Claude Code (.mcp.json) and Gemini CLI expand `${NAME}`. Claude Desktop, Cline and
 * Codex expand nothing in these fields, so no reference can be written for them.
 */
const REFERENCE: Partial<Record<McpClient, (name: string) => string>> = {
  vscode: (n) => `\${env:${n}}`,
  cursor: (n) => `\${env:${n}}`,
  windsurf: (n) => `\${env:${n}}`,
  roo: (n) => `\${env:${n}}`,
  'claude-code': (n) => `\${${n}}`,
  gemini: (n) => `\${${n}}`,
};

/** Clients known to expand references in args and URLs too, not only in env and headers. */
const EXPANDS_EVERYWHERE = new Set<McpClient>(['vscode', 'cursor', 'windsurf', 'claude-code', 'gemini']);

const ADVICE: Record<McpClient, string> = {
  vscode: 'Revoke it and reference it instead: an `${input:…}` prompt (VS Code stores the answer encrypted) or `${env:NAME}`.',
  cursor: 'Revoke it and reference it instead: `${env:NAME}`.',
  windsurf: 'Revoke it and reference it instead: `${env:NAME}`.',
  roo: 'Revoke it and reference it instead: `${env:NAME}`.',
  'claude-code': 'Revoke it and reference it instead: `${NAME}`, which Claude Code expands.',
  gemini: 'Revoke it and reference it instead: `$NAME` or `${NAME}`, which Gemini CLI expands.',
  'claude-desktop': 'Revoke it. Claude Desktop expands no variables here: keep this file out of version control, or start the server through a wrapper that reads the secret from the OS keychain.',
  cline: 'Revoke it. Cline expands no variables here: keep this file out of version control, or let the server read the secret from its own environment.',
  kiro: 'Revoke it and have the server read it from the environment.',
  codex: 'Revoke it and name the variable instead: `env_vars = ["NAME"]` passes it from the environment (`bearer_token_env_var` for HTTP servers).',
  unknown: 'Revoke it and have the server read it from the environment.',
};

export default defineRule<State>({
  meta: {
    id: 'mcp-plaintext-secret',
    group: 'agent-config',
    title: 'Token or API key written in plain text into an MCP server configuration',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    // The finding's range is the secret itself: code frames and SARIF snippets must not show it.
    redact: true,
    cwe: [798, 312],
    owasp: ['LLM02'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://cwe.mitre.org/data/definitions/312.html',
      'https://code.visualstudio.com/docs/copilot/reference/mcp-configuration',
      'https://docs.cursor.com/context/model-context-protocol',
      'https://docs.anthropic.com/en/docs/claude-code/mcp',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['mcp', 'perm'],
  checkFile(ctx) {
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    for (const server of mcpServersOf(doc, ctx.path)) {
      for (const entry of server.env?.entries ?? []) {
        if (entry.value.kind === 'string') push(out, server, 'env', entry.key, entry.value);
      }
      for (const entry of server.headers?.entries ?? []) {
        if (entry.value.kind === 'string') push(out, server, 'header', entry.key, entry.value);
      }
      // Codex HTTP servers once took a literal `bearer_token`.
      const bearer = get(server.config, 'bearer_token');
      if (bearer?.kind === 'string') push(out, server, 'header', 'bearer_token', bearer);
      if (server.url) pushUrl(out, server, server.url, 0, server.url.value.length);
      argumentSecrets(out, server);
    }
    return out;
  },
  message(s) {
    const where =
      s.place === 'env' ? `\`env.${s.name}\`` : s.place === 'header' ? `the \`${s.name}\` header` : s.place === 'url' ? `the URL's ${s.name}` : s.name.startsWith('#') ? `argument ${s.name.slice(1)}` : `the \`${s.name}\` argument`;
    return `MCP server "${s.server}" has ${s.description} (${s.masked}) written into ${where}: anyone who can read this file — a clone, the git history, a synced settings backup — can use it with the server's full access. ${ADVICE[s.client]}`;
  },
  fixes(s): Fix[] {
    if (!s.replacement) return [];
    return [{ title: `Replace the literal with ${s.replacement.text}`, applicability: 'unsafe', edits: [s.replacement.edit] }];
  },
});

/** An environment variable name for a credential found under `name` of server `server`. */
function variableFor(server: McpServer, place: Place, name: string, envVar?: string): string {
  if (place === 'env' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  if (envVar) return envVar;
  const prefix = server.name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'MCP';
  const suffix = /password|passwd|pwd/i.test(name) ? 'PASSWORD' : /key/i.test(name) ? 'API_KEY' : 'TOKEN';
  return `${/^[0-9]/.test(prefix) ? `MCP_${prefix}` : prefix}_${suffix}`;
}

function push(out: State[], server: McpServer, place: Place, name: string, value: ConfigString, from = 0, to = value.value.length): void {
  const found = literalSecret(place === 'argument' && !isCredentialName(name) ? undefined : name, value.value.slice(from, to));
  if (!found) return;
  add(out, server, place, name, value, from + found.from, from + found.to, found.description, found.masked, found.confidence, found.envVar);
}

function add(out: State[], server: McpServer, place: Place, name: string, value: ConfigString, from: number, to: number, description: string, masked: string, confidence: 'high' | 'medium', envVar?: string): void {
  const reference = REFERENCE[server.client];
  const canReference = reference && (place === 'env' || place === 'header' || EXPANDS_EVERYWHERE.has(server.client));
  let replacement: State['replacement'];
  if (canReference) {
    const variable = variableFor(server, place, name, envVar);
    const text = reference(variable);
    const edit = replaceInString(value, from, to, text);
    if (edit) replacement = { text, variable, edit };
  }
  out.push({ range: substringRange(value, from, to), server: server.name, client: server.client, place, name, description, masked, confidence, replacement });
}

function pushUrl(out: State[], server: McpServer, url: ConfigString, from: number, to: number): void {
  const text = url.value.slice(from, to);
  const password = urlPassword(text);
  if (password) add(out, server, 'url', 'password', url, from + password.from, from + password.to, 'a password', '***', 'high');
  for (const q of urlQuerySecrets(text)) {
    const known = literalSecret(q.name, text.slice(q.from, q.to));
    if (known) add(out, server, 'url', `\`${q.name}\` parameter`, url, from + q.from + known.from, from + q.from + known.to, known.description, known.masked, known.confidence, known.envVar);
  }
}

/** `--api-key VALUE`, `--token=VALUE`, known token shapes, and database URLs with passwords among the arguments. */
function argumentSecrets(out: State[], server: McpServer): void {
  const words = launchOf(server.argv)?.argv ?? server.argv;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const plain = w.source.value.slice(w.from, w.to) === w.value;
    if (!plain) continue;
    const option = /^(--?[A-Za-z][\w-]*)=(.*)$/.exec(w.value);
    const previous = words[i - 1].value;
    if (option) push(out, server, 'argument', option[1], w.source, w.from + option[1].length + 1, w.to);
    else if (/^--?[A-Za-z][\w-]*$/.test(previous) && isCredentialName(previous.replace(/^-+/, ''))) push(out, server, 'argument', previous, w.source, w.from, w.to);
    else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value)) pushUrl(out, server, w.source, w.from, w.to);
    else push(out, server, 'argument', `#${i}`, w.source, w.from, w.to);
  }
}
