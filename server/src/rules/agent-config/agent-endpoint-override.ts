import { defineRule, type RuleContext, type TextDetection } from '../../engine/rule';
import type { TextRange } from '../../engine/types';
import { asArray, asObject, asString, configDocument, get, normalisePath, settingEntry, substringRange, type ConfigDocument, type ConfigObject, type ConfigString } from '../config-files';
import { agentFileOf } from './lib/agent-files';
import { isReference } from './lib/secrets';
import { isVendorHost, parseUrl, reachOf, type Reach } from './lib/urls';

type Problem = 'endpoint' | 'plaintext' | 'tls-off';

interface State extends TextDetection {
  problem: Problem;
  /** The variable or setting as written. */
  name: string;
  host?: string;
  reach?: Reach;
  /** Where the override is, for the message. */
  where: string;
  /** In a personal, git-ignored file (`.claude/settings.local.json`). */
  personal?: boolean;
}

/** Variables that move an agent's model API; the vendor each normally talks to. */
const ENDPOINT_VARIABLES: Record<string, string> = {
  ANTHROPIC_BASE_URL: 'Anthropic',
  ANTHROPIC_BEDROCK_BASE_URL: 'Amazon Bedrock',
  ANTHROPIC_VERTEX_BASE_URL: 'Google Vertex AI',
  ANTHROPIC_FOUNDRY_BASE_URL: 'Microsoft Foundry',
  OPENAI_BASE_URL: 'OpenAI',
  OPENAI_API_BASE: 'OpenAI',
  AZURE_OPENAI_ENDPOINT: 'Azure OpenAI',
  GOOGLE_GEMINI_BASE_URL: 'Google',
  GOOGLE_VERTEX_BASE_URL: 'Google Vertex AI',
  CODE_ASSIST_ENDPOINT: 'Google Code Assist',
};

/** GitHub Copilot's debug overrides, in `github.copilot.advanced`. */
const COPILOT_OVERRIDES = /^debug\.(overrideProxyUrl|overrideCapiUrl|testOverrideProxyUrl|overrideEngine|chatOverrideProxyUrl)$/;

export default defineRule<State>({
  meta: {
    id: 'agent-endpoint-override',
    group: 'agent-config',
    title: "Committed agent settings send the model traffic to a non-vendor endpoint",
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [923],
    owasp: ['LLM02', 'LLM03'],
    confidence: 'high',
    references: [
      'https://cwe.mitre.org/data/definitions/923.html',
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://docs.anthropic.com/en/docs/claude-code/settings#environment-variables',
      'https://docs.anthropic.com/en/docs/claude-code/llm-gateway',
      'https://github.com/openai/codex/blob/main/docs/config.md#model_providers',
    ],
  },
  languages: ['json', 'toml', 'text'],
  fileKinds: ['perm', 'env'],
  checkFile(ctx) {
    const out: State[] = [];
    if (ctx.kinds.has('env')) {
      // Only the dotenv files agent CLIs load as their own: the project's other .env files configure the application.
      if (/(^|\/)\.(gemini|qwen)\/\.env$/.test(normalisePath(ctx.path))) envFile(out, ctx);
      return out;
    }
    const doc = configDocument(ctx);
    if (!doc) return out;
    switch (agentFileOf(ctx.path)) {
      case 'claude-settings': {
        const personal = /settings\.local\.json$/i.test(ctx.path);
        envObject(out, asObject(get(doc.root, 'env')), `The ${personal ? 'personal ' : ''}Claude Code settings \`env\``);
        if (personal) for (const d of out) d.personal = true;
        break;
      }
      case 'vscode-settings':
        vscode(out, doc);
        break;
      case 'codex-config':
        codex(out, doc);
        break;
    }
    return out;
  },
  message(s) {
    if (s.problem === 'tls-off') {
      return `${s.where} sets \`NODE_TLS_REJECT_UNAUTHORIZED=0\`: the agent accepts any TLS certificate, so anyone on the network path can read and rewrite its model traffic — prompts, file contents, API keys, and the instructions it acts on. Remove it; install a corporate CA with \`NODE_EXTRA_CA_CERTS\` instead.`;
    }
    const vendor = ENDPOINT_VARIABLES[s.name] ? ` instead of ${ENDPOINT_VARIABLES[s.name]}` : '';
    const what = `every prompt, every file the agent reads into context and its API credentials go there${vendor}`;
    if (s.reach === 'loopback') return `${s.where} points \`${s.name}\` at a local endpoint (\`${s.host}\`): ${what}. Fine for a proxy you run yourself; in a shared file, make sure every user runs the same one.`;
    const clear = s.problem === 'plaintext' ? ' over plain HTTP' : '';
    const shared = s.personal ? 'Make sure the host is one you control.' : 'A committed override does this for everyone who opens the project: keep gateway settings in each user\'s own environment, or document why this host is trusted.';
    return `${s.where} points \`${s.name}\` at \`${s.host}\`${clear}: ${what}, and that host writes the answers the agent acts on. ${shared}`;
  },
});

function judge(name: string, value: string, range: TextRange, where: string): State | undefined {
  const v = value.trim();
  if (name === 'NODE_TLS_REJECT_UNAUTHORIZED') return v === '0' || v.toLowerCase() === 'false' ? { range, problem: 'tls-off', name, where, severity: 'error' } : undefined;
  if (v === '' || isReference(v)) return undefined;
  const url = parseUrl(v) ?? parseUrl(`https://${v}`);
  if (!url || !url.host) return undefined;
  if (isVendorHost(url.host)) return undefined;
  const reach = reachOf(url.host);
  if (reach === 'unknown') return undefined;
  if (reach === 'loopback') return { range, problem: 'endpoint', name, host: url.host, reach, where, severity: 'info', confidence: 'low' };
  const plaintext = url.scheme === 'http';
  return { range, problem: plaintext ? 'plaintext' : 'endpoint', name, host: url.host, reach, where, severity: plaintext ? 'error' : 'warning', confidence: reach === 'private' ? 'medium' : 'high' };
}

function isWatched(name: string): boolean {
  return name in ENDPOINT_VARIABLES || name === 'NODE_TLS_REJECT_UNAUTHORIZED';
}

function envObject(out: State[], env: ConfigObject | undefined, where: string): void {
  for (const entry of env?.entries ?? []) {
    if (!isWatched(entry.key) || entry.value.kind !== 'string') continue;
    const d = judge(entry.key, entry.value.value, whole(entry.value), where);
    if (d) out.push(d);
  }
}

function whole(s: ConfigString): TextRange {
  return substringRange(s, 0, s.value.length);
}

function vscode(out: State[], doc: ConfigDocument): void {
  // The Claude Code extension's own environment: [{ "name": …, "value": … }].
  for (const item of asArray(settingEntry(doc.root, 'claudeCode.environmentVariables')?.value)?.items ?? []) {
    const name = asString(get(item, 'name'))?.value;
    const value = asString(get(item, 'value'));
    if (!name || !value || !isWatched(name)) continue;
    const d = judge(name, value.value, whole(value), 'The workspace setting `claudeCode.environmentVariables`');
    if (d) out.push(d);
  }
  // Terminals the agent CLIs are started from.
  for (const os of ['osx', 'linux', 'windows']) {
    envObject(out, asObject(settingEntry(doc.root, `terminal.integrated.env.${os}`)?.value), `The workspace setting \`terminal.integrated.env.${os}\``);
  }
  for (const entry of asObject(settingEntry(doc.root, 'github.copilot.advanced')?.value)?.entries ?? []) {
    if (!COPILOT_OVERRIDES.test(entry.key) || entry.value.kind !== 'string') continue;
    const d = judge(entry.key, entry.value.value, whole(entry.value), 'The workspace setting `github.copilot.advanced`');
    if (d) out.push(d);
  }
}

function codex(out: State[], doc: ConfigDocument): void {
  for (const provider of asObject(get(doc.root, 'model_providers'))?.entries ?? []) {
    const base = asString(get(provider.value, 'base_url'));
    if (!base) continue;
    const d = judge('base_url', base.value, whole(base), `Codex model provider \`${provider.key}\``);
    if (d) out.push(d);
  }
  for (const key of ['openai_base_url', 'chatgpt_base_url']) {
    const value = asString(get(doc.root, key));
    const d = value && judge(key, value.value, whole(value), 'This Codex configuration');
    if (d) out.push(d);
  }
}

/** `NAME=value`, `export NAME="value"` lines of a dotenv file. */
function envFile(out: State[], ctx: RuleContext): void {
  const re = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\n#]*?))[ \t]*(?:#.*)?$/gm;
  for (let m = re.exec(ctx.text); m; m = re.exec(ctx.text)) {
    const name = m[1];
    if (!isWatched(name)) continue;
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    const start = m.index + m[0].indexOf(value, m[0].indexOf('=') + 1);
    const d = judge(name, value, { start, end: start + value.length }, `This ${/\.qwen/.test(normalisePath(ctx.path)) ? 'Qwen Code' : 'Gemini CLI'} \`.env\``);
    if (d) out.push(d);
  }
}
