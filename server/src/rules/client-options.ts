// AI client constructors and LLM calls as data, for the secrets and resource-limit rules: which
// option carries the API key (and which environment variable the SDK reads instead), which
// option bounds the request time, which bounds the output length. Plus the small edits those
// rules' fixes need on Python keyword arguments and JS option objects, and a few literal helpers.
import type { Node } from 'web-tree-sitter';
import { stringValue } from '../engine/facts/javascript';
import type { RuleContext } from '../engine/rule';
import type { TextEdit } from '../engine/types';
import { calleeName, isPython } from './llm';
import { addArgument } from './python-edits';
import { lineEndOf, lineStartOf, startsLine } from '../engine/text/lines';

export interface ClientTimeout {
  /** Options that set it (any one is enough). */
  options: string[];
  /** What the fix adds: `timeout=60.0`, `timeout: 60_000`. */
  add: string;
  /** For messages: what the SDK does without it. */
  defaultBehaviour: string;
}

export interface AiClient {
  /** For messages: `OpenAI`, `ChatOpenAI`. */
  name: string;
  language: 'python' | 'javascript';
  /** The qualified name of the constructor or factory (see facts/python.ts, facts/javascript.ts). */
  callee: RegExp;
  /** Keyword arguments (Python) or option properties (JS) that carry the API key. */
  keyOptions: string[];
  /** Where the key is a positional argument instead: `new GoogleGenerativeAI(key)`. */
  keyPosition?: number;
  /** The environment variable the SDK reads when no key is passed. */
  envVar?: string;
  timeout?: ClientTimeout;
}

const OPENAI_DEFAULT = 'waits up to 10 minutes per attempt and retries twice';
const PY_TIMEOUT = (options: string[] = ['timeout']): ClientTimeout => ({ options, add: 'timeout=60.0', defaultBehaviour: OPENAI_DEFAULT });
const JS_TIMEOUT: ClientTimeout = { options: ['timeout'], add: 'timeout: 60_000', defaultBehaviour: OPENAI_DEFAULT };
const LC = String.raw`^langchain(_[a-z_]+)?(\.[\w.]+)?`;

export const AI_CLIENTS: readonly AiClient[] = [
  // Python SDKs.
  { name: 'AzureOpenAI', language: 'python', callee: /^openai\.(Async)?AzureOpenAI$/, keyOptions: ['api_key'], envVar: 'AZURE_OPENAI_API_KEY', timeout: PY_TIMEOUT() },
  { name: 'OpenAI', language: 'python', callee: /^openai\.(Async)?OpenAI$/, keyOptions: ['api_key'], envVar: 'OPENAI_API_KEY', timeout: PY_TIMEOUT() },
  { name: 'Anthropic', language: 'python', callee: /^anthropic\.(Async)?Anthropic$/, keyOptions: ['api_key'], envVar: 'ANTHROPIC_API_KEY', timeout: PY_TIMEOUT() },
  { name: 'Groq', language: 'python', callee: /^groq\.(Async)?Groq$/, keyOptions: ['api_key'], envVar: 'GROQ_API_KEY' },
  { name: 'Mistral', language: 'python', callee: /^mistralai(\.client)?\.Mistral(Client)?$/, keyOptions: ['api_key'], envVar: 'MISTRAL_API_KEY' },
  { name: 'Cohere', language: 'python', callee: /^cohere\.(Async)?Client(V2)?$/, keyOptions: ['api_key'], keyPosition: 0, envVar: 'CO_API_KEY' },
  { name: 'genai.Client', language: 'python', callee: /^google\.genai\.Client$/, keyOptions: ['api_key'], envVar: 'GOOGLE_API_KEY' },
  { name: 'genai.configure', language: 'python', callee: /^google\.generativeai\.configure$/, keyOptions: ['api_key'], envVar: 'GOOGLE_API_KEY' },
  { name: 'Together', language: 'python', callee: /^together\.(Async)?Together$/, keyOptions: ['api_key'], envVar: 'TOGETHER_API_KEY' },
  { name: 'replicate.Client', language: 'python', callee: /^replicate\.(client\.)?Client$/, keyOptions: ['api_token'], envVar: 'REPLICATE_API_TOKEN' },
  { name: 'Pinecone', language: 'python', callee: /^pinecone(\.grpc)?\.Pinecone(GRPC)?$/, keyOptions: ['api_key'], envVar: 'PINECONE_API_KEY' },
  {
    name: 'InferenceClient',
    language: 'python',
    callee: /^huggingface_hub\.(Async)?InferenceClient$/,
    keyOptions: ['token', 'api_key'],
    envVar: 'HF_TOKEN',
    timeout: { options: ['timeout'], add: 'timeout=60.0', defaultBehaviour: 'waits for the server without any limit' },
  },
  { name: 'huggingface_hub', language: 'python', callee: /^huggingface_hub\.(HfApi|login)$/, keyOptions: ['token'], envVar: 'HF_TOKEN' },
  { name: 'LiteLLM', language: 'python', callee: /^litellm\.(a?completion|a?embedding|Router)$/, keyOptions: ['api_key'] },
  // LangChain and LlamaIndex wrappers (pydantic fields with provider-named aliases).
  { name: 'AzureChatOpenAI', language: 'python', callee: new RegExp(`${LC}\\.Azure(Chat)?OpenAI$`), keyOptions: ['api_key', 'openai_api_key'], envVar: 'AZURE_OPENAI_API_KEY', timeout: PY_TIMEOUT(['timeout', 'request_timeout']) },
  { name: 'ChatOpenAI', language: 'python', callee: new RegExp(`${LC}\\.(ChatOpenAI|OpenAI)$`), keyOptions: ['api_key', 'openai_api_key'], envVar: 'OPENAI_API_KEY', timeout: PY_TIMEOUT(['timeout', 'request_timeout']) },
  { name: 'OpenAIEmbeddings', language: 'python', callee: new RegExp(`${LC}\\.(Azure)?OpenAIEmbeddings$`), keyOptions: ['api_key', 'openai_api_key'], envVar: 'OPENAI_API_KEY' },
  { name: 'ChatAnthropic', language: 'python', callee: new RegExp(`${LC}\\.ChatAnthropic$`), keyOptions: ['api_key', 'anthropic_api_key'], envVar: 'ANTHROPIC_API_KEY', timeout: PY_TIMEOUT(['timeout', 'default_request_timeout']) },
  { name: 'ChatGroq', language: 'python', callee: new RegExp(`${LC}\\.ChatGroq$`), keyOptions: ['api_key', 'groq_api_key'], envVar: 'GROQ_API_KEY' },
  { name: 'ChatMistralAI', language: 'python', callee: new RegExp(`${LC}\\.ChatMistralAI$`), keyOptions: ['api_key', 'mistral_api_key'], envVar: 'MISTRAL_API_KEY' },
  { name: 'ChatGoogleGenerativeAI', language: 'python', callee: new RegExp(`${LC}\\.(ChatGoogleGenerativeAI|GoogleGenerativeAI|GoogleGenerativeAIEmbeddings)$`), keyOptions: ['google_api_key', 'api_key'], envVar: 'GOOGLE_API_KEY' },
  { name: 'ChatCohere', language: 'python', callee: new RegExp(`${LC}\\.(ChatCohere|CohereEmbeddings)$`), keyOptions: ['cohere_api_key'], envVar: 'COHERE_API_KEY' },
  { name: 'HuggingFaceEndpoint', language: 'python', callee: new RegExp(`${LC}\\.(HuggingFaceEndpoint|HuggingFaceHub|HuggingFaceInferenceAPIEmbeddings)$`), keyOptions: ['huggingfacehub_api_token', 'api_key'], envVar: 'HUGGINGFACEHUB_API_TOKEN' },
  { name: 'LlamaIndex OpenAI', language: 'python', callee: /^llama_index\.(llms|embeddings)\.openai\.OpenAI(Embedding)?$/, keyOptions: ['api_key'], envVar: 'OPENAI_API_KEY' },
  { name: 'LlamaIndex Anthropic', language: 'python', callee: /^llama_index\.llms\.anthropic\.Anthropic$/, keyOptions: ['api_key'], envVar: 'ANTHROPIC_API_KEY' },

  // JavaScript/TypeScript SDKs (a default import resolves to the module itself).
  { name: 'AzureOpenAI', language: 'javascript', callee: /^openai\.AzureOpenAI$/, keyOptions: ['apiKey'], envVar: 'AZURE_OPENAI_API_KEY', timeout: JS_TIMEOUT },
  { name: 'OpenAI', language: 'javascript', callee: /^openai(\.default|\.OpenAI)?$/, keyOptions: ['apiKey'], envVar: 'OPENAI_API_KEY', timeout: JS_TIMEOUT },
  { name: 'Anthropic', language: 'javascript', callee: /^@anthropic-ai\/sdk(\.default|\.Anthropic)?$/, keyOptions: ['apiKey'], envVar: 'ANTHROPIC_API_KEY', timeout: JS_TIMEOUT },
  { name: 'Groq', language: 'javascript', callee: /^groq-sdk(\.default|\.Groq)?$/, keyOptions: ['apiKey'], envVar: 'GROQ_API_KEY' },
  { name: 'GoogleGenerativeAI', language: 'javascript', callee: /^@google\/generative-ai\.GoogleGenerativeAI$/, keyOptions: [], keyPosition: 0, envVar: 'GEMINI_API_KEY' },
  { name: 'GoogleGenAI', language: 'javascript', callee: /^@google\/genai\.GoogleGenAI$/, keyOptions: ['apiKey'], envVar: 'GEMINI_API_KEY' },
  { name: 'Mistral', language: 'javascript', callee: /^@mistralai\/mistralai\.Mistral$/, keyOptions: ['apiKey'], envVar: 'MISTRAL_API_KEY' },
  { name: 'CohereClient', language: 'javascript', callee: /^cohere-ai\.CohereClient(V2)?$/, keyOptions: ['token'], envVar: 'CO_API_KEY' },
  { name: 'Pinecone', language: 'javascript', callee: /^@pinecone-database\/pinecone\.Pinecone$/, keyOptions: ['apiKey'], envVar: 'PINECONE_API_KEY' },
  { name: 'Replicate', language: 'javascript', callee: /^replicate(\.default)?$/, keyOptions: ['auth'], envVar: 'REPLICATE_API_TOKEN' },
  { name: 'HfInference', language: 'javascript', callee: /^@huggingface\/inference\.(HfInference|InferenceClient)$/, keyOptions: [], keyPosition: 0, envVar: 'HF_TOKEN' },
  { name: 'ChatOpenAI', language: 'javascript', callee: /^@langchain\/openai\.(ChatOpenAI|OpenAI|AzureChatOpenAI)$/, keyOptions: ['apiKey', 'openAIApiKey'], envVar: 'OPENAI_API_KEY', timeout: JS_TIMEOUT },
  { name: 'OpenAIEmbeddings', language: 'javascript', callee: /^@langchain\/openai\.OpenAIEmbeddings$/, keyOptions: ['apiKey', 'openAIApiKey'], envVar: 'OPENAI_API_KEY' },
  { name: 'ChatAnthropic', language: 'javascript', callee: /^@langchain\/anthropic\.ChatAnthropic$/, keyOptions: ['apiKey', 'anthropicApiKey'], envVar: 'ANTHROPIC_API_KEY' },
  { name: 'ChatGoogleGenerativeAI', language: 'javascript', callee: /^@langchain\/google-genai\.ChatGoogleGenerativeAI$/, keyOptions: ['apiKey'], envVar: 'GOOGLE_API_KEY' },
  { name: 'ChatGroq', language: 'javascript', callee: /^@langchain\/groq\.ChatGroq$/, keyOptions: ['apiKey'], envVar: 'GROQ_API_KEY' },
  { name: 'ChatMistralAI', language: 'javascript', callee: /^@langchain\/mistralai\.ChatMistralAI$/, keyOptions: ['apiKey'], envVar: 'MISTRAL_API_KEY' },
  // Vercel AI SDK provider factories.
  { name: 'createOpenAI', language: 'javascript', callee: /^@ai-sdk\/openai\.createOpenAI$/, keyOptions: ['apiKey'], envVar: 'OPENAI_API_KEY' },
  { name: 'createAnthropic', language: 'javascript', callee: /^@ai-sdk\/anthropic\.createAnthropic$/, keyOptions: ['apiKey'], envVar: 'ANTHROPIC_API_KEY' },
  { name: 'createGoogleGenerativeAI', language: 'javascript', callee: /^@ai-sdk\/google\.createGoogleGenerativeAI$/, keyOptions: ['apiKey'], envVar: 'GOOGLE_GENERATIVE_AI_API_KEY' },
  { name: 'createGroq', language: 'javascript', callee: /^@ai-sdk\/groq\.createGroq$/, keyOptions: ['apiKey'], envVar: 'GROQ_API_KEY' },
  { name: 'createMistral', language: 'javascript', callee: /^@ai-sdk\/mistral\.createMistral$/, keyOptions: ['apiKey'], envVar: 'MISTRAL_API_KEY' },
  { name: 'createXai', language: 'javascript', callee: /^@ai-sdk\/xai\.createXai$/, keyOptions: ['apiKey'], envVar: 'XAI_API_KEY' },
  { name: 'createPerplexity', language: 'javascript', callee: /^@ai-sdk\/perplexity\.createPerplexity$/, keyOptions: ['apiKey'], envVar: 'PERPLEXITY_API_KEY' },
  { name: 'createDeepSeek', language: 'javascript', callee: /^@ai-sdk\/deepseek\.createDeepSeek$/, keyOptions: ['apiKey'], envVar: 'DEEPSEEK_API_KEY' },
  { name: 'createOpenRouter', language: 'javascript', callee: /^@openrouter\/ai-sdk-provider\.createOpenRouter$/, keyOptions: ['apiKey'], envVar: 'OPENROUTER_API_KEY' },
  { name: 'createOpenAICompatible', language: 'javascript', callee: /^@ai-sdk\/openai-compatible\.createOpenAICompatible$/, keyOptions: ['apiKey'] },
];

// Several of these rules ask the same questions about every call of a file; the answers are
// kept per file (the rule context) and node, so each call is resolved once.
const resolvedCallees = new WeakMap<RuleContext, Map<number, string | undefined>>();
const clientsAt = new WeakMap<RuleContext, Map<number, { client: AiClient; qualified: string } | undefined>>();

function memo<T>(cache: WeakMap<RuleContext, Map<number, T>>, ctx: RuleContext, node: Node, compute: () => T): T {
  let map = cache.get(ctx);
  if (!map) cache.set(ctx, (map = new Map()));
  if (map.has(node.id)) return map.get(node.id) as T;
  const value = compute();
  map.set(node.id, value);
  return value;
}

/** The qualified name a call invokes (`llm.calleeName`), resolved once per file and call. */
export function resolvedCallee(ctx: RuleContext, call: Node): string | undefined {
  return memo(resolvedCallees, ctx, call, () => calleeName(ctx, call));
}

const PY_CLIENTS = AI_CLIENTS.filter((c) => c.language === 'python');
const JS_CLIENTS = AI_CLIENTS.filter((c) => c.language === 'javascript');

/** The AI client a call or `new` expression constructs, if it is one. */
export function aiClientAt(ctx: RuleContext, call: Node): { client: AiClient; qualified: string } | undefined {
  if (call.type !== 'call' && call.type !== 'call_expression' && call.type !== 'new_expression') return undefined;
  return memo(clientsAt, ctx, call, () => {
    const qualified = resolvedCallee(ctx, call);
    if (!qualified) return undefined;
    const client = (isPython(ctx) ? PY_CLIENTS : JS_CLIENTS).find((c) => c.callee.test(qualified));
    return client && { client, qualified };
  });
}

/** A call's options: Python keyword arguments, or the properties of a JS options object. */
export interface CallOptions {
  /** The option's value node, if it is passed. */
  get(name: string): Node | undefined;
  /** Options may be passed where they cannot be read (`**kwargs`, `...spread`, an options object from elsewhere). */
  unknown: boolean;
  /** JS: the options object literal (possibly bound to a variable); undefined when absent. */
  object?: Node;
}

/** The options of a call; for JS, of the object literal at argument `position` (default 0). */
export function callOptions(ctx: RuleContext, call: Node, position = 0): CallOptions {
  if (isPython(ctx)) {
    const args = ctx.python.callArguments(call);
    return { get: (name) => args.keywords.get(name), unknown: args.unresolvedSplat };
  }
  const arg = ctx.javascript.callArguments(call)[position];
  if (!arg) return { get: () => undefined, unknown: false };
  const object = ctx.javascript.definition(arg);
  if (object.type !== 'object') return { get: () => undefined, unknown: true };
  const spread = object.namedChildren.some((c) => c?.type === 'spread_element');
  return { get: (name) => ctx.javascript.property(object, name), unknown: spread, object };
}

/** The first of `names` that the call passes, with its value. */
export function firstOption(options: CallOptions, names: readonly string[]): { name: string; value: Node } | undefined {
  for (const name of names) {
    const value = options.get(name);
    if (value) return { name, value };
  }
  return undefined;
}

/** The value of a string literal (Python string/implicit concatenation, JS string/template/`+` chain); undefined otherwise. */
export function literalString(ctx: RuleContext, node: Node): string | undefined {
  if (isPython(ctx)) {
    if (node.type === 'string' && /^[A-Za-z]*[fFbB]/.test(node.text)) return undefined;
    if (node.type !== 'string' && node.type !== 'concatenated_string') return undefined;
    const v = ctx.python.literal(node)?.value;
    return typeof v === 'string' ? v : undefined;
  }
  return jsConstantString(node);
}

/** A JS expression built only from string literals: `'a'`, `` `b` ``, `'a' + 'b'`, `('a')`. */
export function jsConstantString(node: Node, depth = 0): string | undefined {
  if (depth > 50) return undefined;
  if (node.type === 'string' || node.type === 'template_string') return stringValue(node);
  if (node.type === 'parenthesized_expression' && node.namedChildren[0]) return jsConstantString(node.namedChildren[0], depth + 1);
  if (node.type === 'binary_expression' && node.childForFieldName('operator')?.text === '+') {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    const l = left ? jsConstantString(left, depth + 1) : undefined;
    const r = right ? jsConstantString(right, depth + 1) : undefined;
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  return undefined;
}

/** The expression a value comes from, through variables (both languages). */
export function definitionOf(ctx: RuleContext, node: Node): Node {
  return isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
}

/** `process.env.NAME`, `process.env["NAME"]`, `import.meta.env.NAME` → NAME and which object. */
export function jsEnvRead(ctx: RuleContext, node: Node): { name: string; object: 'process.env' | 'import.meta.env' } | undefined {
  if (node.type !== 'member_expression' && node.type !== 'subscript_expression') return undefined;
  const object = node.childForFieldName('object');
  const name = node.type === 'member_expression' ? node.childForFieldName('property')?.text : stringValue(node.childForFieldName('index'));
  if (!object || !name) return undefined;
  const base = object.text.replace(/\s+/g, '');
  if (base === 'import.meta.env') return { name, object: 'import.meta.env' };
  if (base === 'process.env' || ctx.javascript.resolve(object) === 'global.process.env') return { name, object: 'process.env' };
  return undefined;
}

/** `os.environ["NAME"]`, `os.environ.get("NAME")`, `os.getenv("NAME")` → NAME. */
export function pythonEnvRead(ctx: RuleContext, node: Node): string | undefined {
  let container: Node | null = null;
  let key: Node | undefined;
  if (node.type === 'subscript') {
    container = node.childForFieldName('value');
    key = node.childForFieldName('subscript') ?? undefined;
  } else if (node.type === 'call') {
    container = node.childForFieldName('function');
    key = ctx.python.callArguments(node).positional[0];
  }
  const name = container ? ctx.python.resolve(container) : undefined;
  if (!name || !key || !/^os\.(environ|getenv|environ\.get)$/.test(name)) return undefined;
  if (node.type === 'subscript' && name !== 'os.environ') return undefined;
  const value = ctx.python.literal(key)?.value;
  return typeof value === 'string' ? value : undefined;
}

// ---- Edits ---------------------------------------------------------------------------------




/** Edits that append `text` (`timeout: 60_000`) as the last property of a JS object literal, keeping its layout. */
export function addJsProperty(object: Node, source: string, text: string): TextEdit[] | undefined {
  const open = object.firstChild;
  const close = object.lastChild;
  if (object.type !== 'object' || open?.type !== '{' || close?.type !== '}') return undefined;
  const items = object.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const last = items.at(-1);
  if (!last) {
    const inner = source.slice(open.endIndex, close.startIndex);
    return [{ start: open.endIndex, end: close.startIndex, newText: inner.includes('\n') ? inner.replace(/^(\s*\n)?/, `\n  ${text},\n`) : ` ${text} ` }];
  }
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const tail = comma ?? last;
  const onePerLine = close.startPosition.row > tail.endPosition.row && startsLine(source, last.startIndex);
  if (!onePerLine) return [{ start: last.endIndex, end: last.endIndex, newText: `, ${text}` }];
  const indent = source.slice(lineStartOf(source, last.startIndex), last.startIndex);
  const lineEnd = lineEndOf(source, tail.endIndex);
  const newLine = `\n${indent}${text}`;
  if (comma) return [{ start: lineEnd, end: lineEnd, newText: `${newLine},` }];
  if (lineEnd === last.endIndex) return [{ start: lineEnd, end: lineEnd, newText: `,${newLine}` }];
  return [
    { start: last.endIndex, end: last.endIndex, newText: ',' },
    { start: lineEnd, end: lineEnd, newText: newLine },
  ];
}

/**
 * Edits that add an option to a call: a Python keyword argument (`timeout=60.0`), or a property
 * of the JS options object at `position` (`timeout: 60_000`), creating `{ … }` when the call has
 * no arguments. Undefined when the options cannot be edited in place (an object from elsewhere).
 */
export function addOption(ctx: RuleContext, call: Node, text: string, position = 0): TextEdit[] | undefined {
  if (isPython(ctx)) return addArgument(call, ctx.text, text);
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'arguments') return undefined;
  const list = ctx.javascript.callArguments(call);
  if (list.length === position && position === 0) {
    const open = args.firstChild;
    const close = args.lastChild;
    if (open?.type !== '(' || close?.type !== ')') return undefined;
    return [{ start: open.endIndex, end: close.startIndex, newText: `{ ${text} }` }];
  }
  const arg = list[position];
  if (!arg || arg.type !== 'object') return undefined;
  return addJsProperty(arg, ctx.text, text);
}

const PY_BLOCKS = new Set(['block', 'module']);
const JS_BLOCKS = new Set(['program', 'statement_block', 'switch_case', 'switch_default']);

/**
 * The edit that deletes the statement whose whole expression is `expression` (with its line),
 * when that statement is alone on its lines and its block keeps another statement (an empty
 * Python block, or an unbraced `if` body in JS, would not parse or would change meaning).
 * Undefined otherwise.
 */
export function removeStatement(ctx: RuleContext, expression: Node): TextEdit | undefined {
  const statement = expression.parent;
  if (statement?.type !== 'expression_statement' || statement.namedChildren[0]?.id !== expression.id) return undefined;
  const block = statement.parent;
  if (!block || !(isPython(ctx) ? PY_BLOCKS : JS_BLOCKS).has(block.type)) return undefined;
  const siblings = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (siblings.length < 2 && block.type !== 'module' && block.type !== 'program') return undefined;
  const source = ctx.text;
  if (!startsLine(source, statement.startIndex)) return undefined;
  const end = lineEndOf(source, statement.endIndex);
  if (!/^[ \t]*(#.*|\/\/.*)?$/.test(source.slice(statement.endIndex, end))) return undefined;
  const start = lineStartOf(source, statement.startIndex);
  const breakLength = source.startsWith('\r\n', end) ? 2 : source[end] === '\n' ? 1 : 0;
  return { start, end: end + breakLength, newText: '' };
}

/** OpenAI-compatible services by host, with the variable their docs tell users to set. */
const COMPATIBLE_HOSTS: [RegExp, string][] = [
  [/(^|\.)openrouter\.ai$/, 'OPENROUTER_API_KEY'],
  [/(^|\.)together\.(xyz|ai)$/, 'TOGETHER_API_KEY'],
  [/(^|\.)groq\.com$/, 'GROQ_API_KEY'],
  [/(^|\.)deepseek\.com$/, 'DEEPSEEK_API_KEY'],
  [/(^|\.)x\.ai$/, 'XAI_API_KEY'],
  [/(^|\.)mistral\.ai$/, 'MISTRAL_API_KEY'],
  [/(^|\.)fireworks\.ai$/, 'FIREWORKS_API_KEY'],
  [/(^|\.)perplexity\.ai$/, 'PERPLEXITY_API_KEY'],
  [/(^|\.)generativelanguage\.googleapis\.com$/, 'GEMINI_API_KEY'],
  [/(^|\.)anthropic\.com$/, 'ANTHROPIC_API_KEY'],
];

/**
 * The environment variable a client's key should come from: the SDK's own, unless the client
 * talks to another service through `base_url` (OpenRouter, Together, a local server), where it
 * is that service's variable, or unknown (undefined) for hosts that are not recognized.
 */
export function clientKeyEnv(ctx: RuleContext, call: Node, client: AiClient): string | undefined {
  const base = firstOption(callOptions(ctx, call), ['base_url', 'baseURL', 'openai_api_base', 'api_base', 'baseUrl']);
  if (!base) return client.envVar;
  const url = literalString(ctx, definitionOf(ctx, base.value));
  if (url === undefined) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  if (host === 'api.openai.com' || host.endsWith('.openai.azure.com')) return client.envVar;
  return COMPATIBLE_HOSTS.find(([re]) => re.test(host))?.[1];
}

// ---- Output bounds ---------------------------------------------------------------------------

export interface OutputBound {
  language: 'python' | 'javascript';
  /** The qualified name of the LLM call (or of the chat model constructor that fixes the bound for every call). */
  callee: RegExp;
  /** Matched against the call's source text when the receiver cannot be resolved (`self.client.chat.completions.create`). */
  fallback?: RegExp;
  /** Options any one of which bounds the output. */
  options: string[];
  /** The bound lives inside a config option instead: `config=GenerateContentConfig(max_output_tokens=…)`. */
  nested?: { option: string; keys: string[] };
  /** Gemini's older SDKs: the bound may also be set where the model object is built. */
  modelConfig?: boolean;
  /** What the fix adds when nothing is set. */
  add: string;
  /** The parameter to name in messages. */
  advice: string;
}

const PY_OPENAI = String.raw`openai(\.(Async)?(Azure)?OpenAI\(\))?`;
const JS_OPENAI = String.raw`openai(\.(default|OpenAI|AzureOpenAI))?\(\)`;
const PY_LC = String.raw`^langchain(_[a-z_]+)?(\.[\w.]+)?`;

export const OUTPUT_BOUNDS: readonly OutputBound[] = [
  {
    language: 'python',
    callee: new RegExp(String.raw`^${PY_OPENAI}\.(beta\.)?chat\.completions\.(create|parse|stream)$`),
    fallback: /(^|\.)chat\.completions\.(create|parse|stream)$/,
    options: ['max_completion_tokens', 'max_tokens'],
    add: 'max_completion_tokens=1024',
    advice: 'max_completion_tokens',
  },
  { language: 'python', callee: new RegExp(String.raw`^${PY_OPENAI}\.responses\.(create|parse|stream)$`), fallback: /(^|\.)responses\.(create|parse|stream)$/, options: ['max_output_tokens'], add: 'max_output_tokens=1024', advice: 'max_output_tokens' },
  { language: 'python', callee: /^openai\.ChatCompletion\.a?create$/, options: ['max_tokens'], add: 'max_tokens=1024', advice: 'max_tokens' },
  {
    language: 'python',
    callee: /^google\.genai\.Client\(\)\.(aio\.)?models\.generate_content(_stream)?$/,
    fallback: /(^|\.)models\.generate_content(_stream)?$/,
    options: [],
    nested: { option: 'config', keys: ['max_output_tokens'] },
    add: 'config={"max_output_tokens": 1024}',
    advice: 'config.max_output_tokens',
  },
  {
    language: 'python',
    callee: /^(google\.generativeai|vertexai\.generative_models|vertexai\.preview\.generative_models)\.GenerativeModel\(\)\.generate_content(_async)?$/,
    options: [],
    nested: { option: 'generation_config', keys: ['max_output_tokens'] },
    modelConfig: true,
    add: 'generation_config={"max_output_tokens": 1024}',
    advice: 'generation_config.max_output_tokens',
  },
  { language: 'python', callee: /^cohere\.(Async)?Client(V2)?\(\)\.chat(_stream)?$/, options: ['max_tokens'], add: 'max_tokens=1024', advice: 'max_tokens' },
  { language: 'python', callee: /^mistralai(\.client)?\.Mistral(Client)?\(\)\.chat\.(complete|stream)(_async)?$/, options: ['max_tokens'], add: 'max_tokens=1024', advice: 'max_tokens' },
  { language: 'python', callee: /^litellm(\.Router\(\))?\.a?completion$/, options: ['max_tokens', 'max_completion_tokens'], add: 'max_tokens=1024', advice: 'max_tokens' },
  // LangChain chat models fix the bound for every call made through them. ChatAnthropic
  // defaults to 1024 tokens (the API requires a bound), so it never lacks one.
  { language: 'python', callee: new RegExp(`${PY_LC}\\.(ChatOpenAI|AzureChatOpenAI)$`), options: ['max_tokens', 'max_completion_tokens', 'model_kwargs'], add: 'max_tokens=1024', advice: 'max_tokens' },
  { language: 'python', callee: new RegExp(`${PY_LC}\\.ChatGoogleGenerativeAI$`), options: ['max_output_tokens', 'max_tokens'], add: 'max_output_tokens=1024', advice: 'max_output_tokens' },
  { language: 'python', callee: new RegExp(`${PY_LC}\\.(ChatGroq|ChatMistralAI)$`), options: ['max_tokens', 'model_kwargs'], add: 'max_tokens=1024', advice: 'max_tokens' },

  {
    language: 'javascript',
    callee: new RegExp(String.raw`^${JS_OPENAI}\.(beta\.)?chat\.completions\.(create|parse|stream)$`),
    fallback: /(^|\.)chat\.completions\.(create|parse|stream)$/,
    options: ['max_completion_tokens', 'max_tokens'],
    add: 'max_completion_tokens: 1024',
    advice: 'max_completion_tokens',
  },
  { language: 'javascript', callee: new RegExp(String.raw`^${JS_OPENAI}\.responses\.(create|parse|stream)$`), fallback: /(^|\.)responses\.(create|parse|stream)$/, options: ['max_output_tokens'], add: 'max_output_tokens: 1024', advice: 'max_output_tokens' },
  // Vercel AI SDK: `maxOutputTokens` since v5, `maxTokens` before.
  { language: 'javascript', callee: /^ai\.(generateText|streamText|generateObject|streamObject)$/, options: ['maxOutputTokens', 'maxTokens'], add: 'maxOutputTokens: 1024', advice: 'maxOutputTokens' },
  {
    language: 'javascript',
    callee: /^@google\/genai\.GoogleGenAI\(\)\.models\.generateContent(Stream)?$/,
    fallback: /(^|\.)models\.generateContent(Stream)?$/,
    options: [],
    nested: { option: 'config', keys: ['maxOutputTokens'] },
    add: 'config: { maxOutputTokens: 1024 }',
    advice: 'config.maxOutputTokens',
  },
  { language: 'javascript', callee: /^@langchain\/openai\.(ChatOpenAI|AzureChatOpenAI)$/, options: ['maxTokens', 'maxCompletionTokens', 'modelKwargs'], add: 'maxTokens: 1024', advice: 'maxTokens' },
  { language: 'javascript', callee: /^@langchain\/google-genai\.ChatGoogleGenerativeAI$/, options: ['maxOutputTokens'], add: 'maxOutputTokens: 1024', advice: 'maxOutputTokens' },
  { language: 'javascript', callee: /^@langchain\/(groq\.ChatGroq|mistralai\.ChatMistralAI)$/, options: ['maxTokens', 'modelKwargs'], add: 'maxTokens: 1024', advice: 'maxTokens' },
];

const PY_BOUNDS = OUTPUT_BOUNDS.filter((r) => r.language === 'python');
const JS_BOUNDS = OUTPUT_BOUNDS.filter((r) => r.language === 'javascript');

/** The output-bound row for an LLM call, by its resolved name, else by its source text (computed only then). */
export function outputBoundFor(ctx: RuleContext, resolved: string | undefined, dotted: () => string): OutputBound | undefined {
  const rows = isPython(ctx) ? PY_BOUNDS : JS_BOUNDS;
  if (resolved) {
    const hit = rows.find((r) => r.callee.test(resolved));
    if (hit) return hit;
  }
  const text = dotted();
  return /\.(create|parse|stream|generate_content|generate_content_stream|generateContent|generateContentStream)$/.test(text) ? rows.find((r) => r.fallback?.test(text)) : undefined;
}

/**
 * Whether a config value (a dict or object literal, or a `GenerateContentConfig(...)` /
 * `GenerationConfig(...)` call) sets one of `keys`: true, false, or undefined when the value
 * cannot be read (a variable from elsewhere, a splat).
 */
export function configSets(ctx: RuleContext, value: Node, keys: readonly string[]): boolean | undefined {
  const def = definitionOf(ctx, value);
  if (isPython(ctx)) {
    if (def.type === 'dictionary') {
      let unknown = false;
      for (const pair of def.namedChildren) {
        if (pair?.type !== 'pair') {
          if (pair?.type === 'dictionary_splat') unknown = true;
          continue;
        }
        const key = pair.childForFieldName('key');
        const name = key ? ctx.python.literal(key)?.value : undefined;
        if (typeof name === 'string' && keys.includes(name)) return true;
      }
      return unknown ? undefined : false;
    }
    if (def.type === 'call' && /(GenerateContentConfig|GenerationConfig)$/.test(calleeName(ctx, def) ?? def.childForFieldName('function')?.text ?? '')) {
      const args = ctx.python.callArguments(def);
      if (keys.some((k) => args.keywords.has(k))) return true;
      return args.unresolvedSplat ? undefined : false;
    }
    return undefined;
  }
  if (def.type !== 'object') return undefined;
  if (keys.some((k) => ctx.javascript.property(def, k))) return true;
  return def.namedChildren.some((c) => c?.type === 'spread_element') ? undefined : false;
}
