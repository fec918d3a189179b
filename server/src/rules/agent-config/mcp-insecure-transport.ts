import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { configDocument, mcpServersOf, replaceInString, substringRange, wholeWord, type ConfigObject, type McpServer, type Word } from '../config-files';
import { launchOf } from './lib/launchers';
import { parseUrl, reachOf, type Reach } from './lib/urls';

interface State extends TextDetection {
  server: string;
  scheme: string;
  host: string;
  reach: Reach;
  /** What travels in clear besides the MCP traffic itself. */
  exposed: string[];
  /** Through a stdio-to-remote bridge (`mcp-remote`, `supergateway`) rather than the client itself. */
  bridge?: string;
  upgrade?: TextEdit;
}

/** Packages that connect a stdio client to a remote MCP server given by URL. */
const BRIDGES = new Set(['mcp-remote', 'supergateway', 'mcp-proxy', '@pyroprompts/mcp-stdio-to-streamable-http-adapter', 'mcp-remote-client']);

const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token|x-goog-api-key)$/i;

export default defineRule<State>({
  meta: {
    id: 'mcp-insecure-transport',
    group: 'agent-config',
    title: 'Remote MCP server reached over plaintext HTTP',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [319],
    owasp: ['LLM03', 'LLM02'],
    confidence: 'high',
    references: [
      'https://modelcontextprotocol.io/specification/2025-06-18/basic/transports',
      'https://modelcontextprotocol.io/specification/2025-06-18/basic/security_best_practices',
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['mcp', 'perm'],
  checkFile(ctx) {
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const out: State[] = [];
    for (const server of mcpServersOf(doc, ctx.path)) {
      if (server.url) {
        const d = detect(server, wholeWord(server.url), server.headers);
        if (d) out.push(d);
      }
      const launch = launchOf(server.argv);
      const bridge = launch?.packages.find((p) => p.option === undefined && BRIDGES.has(p.name));
      if (launch && bridge) {
        for (const word of launch.rest) {
          const d = detect(server, word, undefined, bridge.name, launch.rest);
          if (d) out.push(d);
        }
      }
    }
    return out;
  },
  message(s) {
    const where = s.reach === 'private' ? `\`${s.host}\` (a private-network name)` : `\`${s.host}\``;
    const via = s.bridge ? ` through \`${s.bridge}\`` : '';
    const extra = s.exposed.length > 0 ? ` (${s.exposed.join(' and ')} included)` : '';
    return `MCP server "${s.server}" connects to ${where} over \`${s.scheme}://\`${via}: anyone on the network path can read the traffic${extra} and rewrite it, injecting tool descriptions and results the agent will trust. Use \`${s.scheme === 'ws' ? 'wss' : 'https'}://\`.`;
  },
  fixes(s): Fix[] {
    if (!s.upgrade) return [];
    // Internal servers often serve no TLS at all: there the upgrade is offered, not applied.
    return [{ title: `Use ${s.upgrade.newText}://`, applicability: s.reach === 'private' ? 'unsafe' : 'safe', edits: [s.upgrade] }];
  },
});

function detect(server: McpServer, word: Word, headers: ConfigObject | undefined, bridge?: string, rest?: Word[]): State | undefined {
  const url = parseUrl(word.value);
  if (!url || (url.scheme !== 'http' && url.scheme !== 'ws')) return undefined;
  const reach = reachOf(url.host);
  if (reach === 'loopback' || reach === 'unknown') return undefined;
  const exposed: string[] = [];
  const credentialHeaders = (headers?.entries ?? []).filter((e) => CREDENTIAL_HEADER.test(e.key) && e.value.kind === 'string' && e.value.value.trim() !== '');
  // mcp-remote's `--header "Authorization: Bearer …"` travels the same way.
  const headerArgs = (rest ?? []).filter((w, i) => rest![i - 1]?.value === '--header' && /^\s*(authorization|x-api-key|cookie)\s*:/i.test(w.value));
  if (credentialHeaders.length + headerArgs.length > 0) exposed.push(`the ${[...credentialHeaders.map((e) => e.key), ...headerArgs.map((w) => w.value.split(':')[0].trim())].map((k) => `\`${k}\``).join(', ')} header`);
  if (url.credentials) exposed.push('the password in the URL');
  if (url.secretParams.length > 0) exposed.push(`the \`${url.secretParams.join('`, `')}\` query parameter`);
  // The scheme is the first characters of the URL; upgrade them in place when written plainly.
  const at = word.source.value.indexOf(word.value.trim().slice(0, url.scheme.length + 3), word.from);
  const plain = at >= word.from && at < word.to;
  const upgrade = plain ? replaceInString(word.source, at, at + url.scheme.length, url.scheme === 'ws' ? 'wss' : 'https') : undefined;
  const start = plain ? at : word.from;
  return {
    range: substringRange(word.source, start, word.to),
    server: server.name,
    scheme: url.scheme,
    host: url.host,
    reach,
    exposed,
    bridge,
    // Credentials in clear are an error; a LAN-only name is less exposed than the internet.
    severity: exposed.length > 0 ? 'error' : reach === 'private' ? 'info' : 'warning',
    confidence: reach === 'private' ? 'medium' : 'high',
    upgrade,
  };
}
