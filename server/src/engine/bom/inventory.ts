// What one file says the project uses: Hub models and datasets (with their revision), LLM
// providers and model names, MCP servers. Asked with the rules' own vocabulary (rules/hub.ts,
// the sdk/ tables, client-options AI_CLIENTS, config-files mcpServersOf, launchers) so the bill of
// materials and the findings agree about what a call is.
import type { Node } from 'web-tree-sitter';
import { jsHubLoad, jsString, isHubName, pyConstant, pyHubKeyword, pyHubLoad, pySource, pyTrust, revisionVerdict, type RevisionVerdict } from '../../rules/hub';
import { AI_CLIENTS } from '../../rules/client-options';
import { calleeName, dottedCallee } from '../../rules/llm';
import { configDocument, mcpServersOf, type McpServer } from '../../rules/config-files';
import { launchOf, type Ecosystem, type Pin } from '../../rules/agent-config/lib/launchers';
import { literalSecret, urlPassword, urlQuerySecrets } from '../../rules/agent-config/lib/secrets';
import { isJavaScriptFamily } from '../files';
import { redactLine } from '../render/report';
import type { RuleContext } from '../rule';
import { sdkModelsFor } from '../sdk/index';
import type { TextRange } from '../types';
import { providerOfKeyVariable, providerOfPackageOrPrefix, providerOfSdk, type Provider } from './catalog';

/** Where in a file something was seen. */
export interface Occurrence {
  path: string;
  /** The call or config entry; absent for a whole file (a model file). */
  range?: TextRange;
  /** 1-based. */
  line?: number;
}

export interface HubReference {
  kind: 'model' | 'dataset';
  id: string;
  /** The revision as written (a commit SHA when pinned); undefined when none is given. */
  revision?: string;
  /** A full commit SHA: the only revision that cannot move. */
  pinned: boolean;
  /** The revision is set but this file cannot read it (a parameter, a config lookup). */
  revisionUnknown: boolean;
  /** The qualified call that loads it (`transformers.AutoModel.from_pretrained`). */
  loader: string;
  /** pipeline()'s task, when written as a literal. */
  task?: string;
  trustRemoteCode: boolean;
  /** The name is the default of this environment variable. */
  environment?: string;
  at: Occurrence;
}

export interface LlmUse {
  provider: Provider;
  /** The model name, when a literal says it. */
  model?: string;
  /** The SDK or client the call goes through (`openai`, `ChatAnthropic`). */
  via: string;
  at: Occurrence;
}

export interface McpServerEntry {
  name: string;
  /** Which agent reads the config (`cursor`, `vscode`, `claude-code`…). */
  client: string;
  /** The command line with literal credentials masked. */
  command?: string;
  runner?: string;
  package?: { ecosystem: Ecosystem; name: string; version?: string; pin: Pin };
  /** A remote server's endpoint, with credentials masked. */
  url?: string;
  transport?: string;
  /** Names only: values may be credentials. */
  envNames: string[];
  disabled: boolean;
  at: Occurrence;
}

export interface FileInventory {
  hub: HubReference[];
  llm: LlmUse[];
  mcp: McpServerEntry[];
}

function occurrence(ctx: RuleContext, node: Node | TextRange): Occurrence {
  const range = 'startIndex' in node ? { start: node.startIndex, end: node.endIndex } : node;
  return { path: ctx.path, range, line: ctx.lines.positionAt(range.start).line + 1 };
}

function revisionFields(verdict: RevisionVerdict): Pick<HubReference, 'revision' | 'pinned' | 'revisionUnknown'> {
  if (verdict.kind === 'pinned') return { revision: verdict.sha.toLowerCase(), pinned: true, revisionUnknown: false };
  if (verdict.kind === 'moving') return { revision: verdict.value, pinned: false, revisionUnknown: false };
  return { pinned: false, revisionUnknown: true };
}

// ---------------------------------------------------------------------------------------------
// Hugging Face Hub

function pythonHub(ctx: RuleContext, call: Node): HubReference | undefined {
  const load = pyHubLoad(ctx, call);
  if (!load) return undefined;
  const source = pySource(ctx, load);
  // A task's default model ('') and names computed at run time have no id to list.
  if (source.kind !== 'hub' || !source.id || source.dynamic) return undefined;
  let kind: HubReference['kind'] = load.role === 'dataset' ? 'dataset' : 'model';
  if (load.role === 'repo') {
    const repoType = pyHubKeyword(ctx, load, 'repo_type');
    const value = repoType ? pyConstant(ctx, repoType)?.value : undefined;
    if (value === 'space') return undefined;
    if (value === 'dataset') kind = 'dataset';
  }
  const revision =
    load.role === 'prefixed' ? revisionVerdict(ctx, source.revision === undefined ? undefined : source.node, () => source.revision) : revisionVerdict(ctx, pyHubKeyword(ctx, load, 'revision'));
  const taskNode = load.kind === 'pipeline' ? ctx.python.argument(call, 'task', 0) : undefined;
  const task = taskNode ? pyConstant(ctx, taskNode)?.value : undefined;
  return {
    kind,
    id: source.id.replace(/^(https?:\/\/(www\.)?huggingface\.co\/|hf:\/\/)(datasets\/)?/i, ''),
    ...revisionFields(revision),
    loader: load.name,
    task: typeof task === 'string' ? task : undefined,
    trustRemoteCode: pyTrust(ctx, load)?.flag?.on === true,
    environment: source.environment,
    at: occurrence(ctx, call),
  };
}

function javascriptHub(ctx: RuleContext, call: Node): HubReference | undefined {
  const load = jsHubLoad(ctx, call);
  if (!load) return undefined;
  const js = ctx.javascript;
  const model = jsString(ctx, load.source);
  if (!model || (!load.explicit && !isHubName(model.value, 'model'))) return undefined;
  const revision = revisionVerdict(ctx, js.property(load.options, 'revision'), (n) => js.literal(n)?.value);
  const repoType = load.explicit ? jsString(ctx, js.property(js.property(load.options, 'repo'), 'type'))?.value : undefined;
  return { kind: repoType === 'dataset' ? 'dataset' : 'model', id: model.value, ...revisionFields(revision), loader: load.name, trustRemoteCode: false, at: occurrence(ctx, call) };
}

// ---------------------------------------------------------------------------------------------
// LLM providers and model names

const PY_MODEL_KEYWORDS = ['model', 'model_name', 'model_id', 'repo_id'];
const JS_MODEL_PROPERTIES = ['model', 'modelName'];

function stringAt(ctx: RuleContext, node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (ctx.language === 'python') {
    const value = pyConstant(ctx, node)?.value;
    return typeof value === 'string' ? value : undefined;
  }
  return jsString(ctx, node)?.value;
}

/** The model a call names (`model="gpt-4o"`, `{ model: 'gpt-4o' }`), and the node that says it. */
function modelArgument(ctx: RuleContext, call: Node): Node | undefined {
  if (ctx.language === 'python') {
    const args = ctx.python.callArguments(call);
    for (const k of PY_MODEL_KEYWORDS) if (args.keywords.get(k)) return args.keywords.get(k);
    return undefined;
  }
  const args = ctx.javascript.callArguments(call);
  for (const arg of args.slice(0, 2)) for (const k of JS_MODEL_PROPERTIES) if (ctx.javascript.property(arg, k)) return ctx.javascript.property(arg, k);
  return undefined;
}

function llmUse(ctx: RuleContext, call: Node, language: 'python' | 'javascript'): LlmUse | undefined {
  const resolved = calleeName(ctx, call);
  const modelNode = modelArgument(ctx, call);
  let model = stringAt(ctx, modelNode);
  // An AI client's constructor: its API-key variable says the provider.
  const client = resolved ? AI_CLIENTS.find((c) => c.language === language && c.callee.test(resolved)) : undefined;
  if (client) {
    const viaPrefix = client.name === 'LiteLLM' && model ? providerOfPackageOrPrefix(model.split('/')[0]) : undefined;
    const provider = viaPrefix ?? providerOfKeyVariable(client.envVar);
    return provider && { provider, model, via: client.name, at: occurrence(ctx, call) };
  }
  const sdks = sdkModelsFor(language, resolved, dottedCallee(call));
  for (const sdk of sdks) {
    let provider = providerOfSdk(sdk.sdk);
    if (!provider && sdk.sdk === 'litellm' && model) provider = providerOfPackageOrPrefix(model.split('/')[0]);
    // Vercel AI SDK: `model: openai('gpt-4o')`, the provider is the factory's package.
    if (!provider && modelNode && language === 'javascript') {
      const factory = ctx.javascript.definition(modelNode);
      const factoryName = factory.type === 'call_expression' ? calleeName(ctx, factory) : undefined;
      const pkg = factoryName ? /^(@[^/.]+\/[^.]+|[^.@]+)/.exec(factoryName)?.[1] : undefined;
      provider = pkg ? providerOfPackageOrPrefix(pkg) : undefined;
      if (provider) model = stringAt(ctx, ctx.javascript.callArguments(factory)[0]);
    }
    if (provider) return { provider, model, via: sdk.sdk, at: occurrence(ctx, call) };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// MCP servers

/** The server's command line, words joined, literal credentials masked (the BOM is shared widely). */
function maskedCommand(server: McpServer): string | undefined {
  if (server.argv.length === 0) return undefined;
  return server.argv
    .map((word, i) => {
      const option = i > 0 && server.argv[i - 1].value.startsWith('-') ? server.argv[i - 1].value.replace(/^-+/, '') : undefined;
      const eq = /^--?([\w-]+)=(.*)$/.exec(word.value);
      const secret = eq ? literalSecret(eq[1], eq[2]) : literalSecret(option, word.value);
      const offset = eq ? word.value.length - eq[2].length : 0;
      return secret ? redactLine(word.value, offset + secret.from, offset + secret.to) : word.value;
    })
    .map((v) => (/[\s"'\\$`]/.test(v) || v === '' ? JSON.stringify(v) : v))
    .join(' ');
}

function maskedUrl(value: string): string {
  let out = value;
  for (const span of [urlPassword(value), ...urlQuerySecrets(value)]) if (span) out = redactLine(out, span.from, span.to);
  return out;
}

function mcpEntry(ctx: RuleContext, server: McpServer): McpServerEntry {
  const launch = launchOf(server.argv);
  const pkg = launch?.packages[0];
  return {
    name: server.name,
    client: server.client,
    command: maskedCommand(server),
    runner: launch?.runner,
    package: pkg && { ecosystem: pkg.ecosystem, name: pkg.name, version: pkg.version, pin: pkg.pin },
    url: server.url ? maskedUrl(server.url.value) : undefined,
    transport: server.type,
    envNames: (server.env?.entries ?? []).map((e) => e.key).sort(),
    disabled: server.disabled,
    at: occurrence(ctx, server.entry.range),
  };
}

// ---------------------------------------------------------------------------------------------

/** Everything one file says the project uses; files of other kinds give empty lists. */
export function inventoryOf(ctx: RuleContext): FileInventory {
  const out: FileInventory = { hub: [], llm: [], mcp: [] };
  if (ctx.kinds.has('mcp')) {
    const doc = configDocument(ctx);
    if (doc) out.mcp.push(...mcpServersOf(doc, ctx.path).map((s) => mcpEntry(ctx, s)));
  }
  const language = ctx.language === 'python' ? 'python' : isJavaScriptFamily(ctx.language) ? 'javascript' : undefined;
  if (!language) return out;
  const calls = ctx.tree.rootNode.descendantsOfType(language === 'python' ? ['call'] : ['call_expression', 'new_expression']);
  for (const call of calls) {
    if (!call) continue;
    const hub = language === 'python' ? pythonHub(ctx, call) : javascriptHub(ctx, call);
    if (hub) out.hub.push(hub);
    const llm = llmUse(ctx, call, language);
    if (llm) out.llm.push(llm);
  }
  return out;
}
