import type { Node } from 'web-tree-sitter';
import { stringValue } from '../../engine/facts/javascript';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import type { TaintPath } from '../../engine/taint/types';
import type { Fix, TextEdit } from '../../engine/types';
import { aiClientAt, definitionOf, jsEnvRead, pythonEnvRead, removeStatement, resolvedCallee } from '../client-options';
import { calleeName, dottedCallee, isPython } from '../llm';
import { isAiKeyEnvName, looksLikeSecretValue } from '../secret-formats';
import { AI_CODE } from '../prefilters';

interface State extends Detection {
  kind: 'switch' | 'secret';
  /** switch: the statement as written (shortened), and what the switch makes the library print. */
  what?: string;
  effect?: string;
  /** secret: the logging call and what it logs. */
  sink?: string;
  secret?: string;
  fix?: Fix;
}

const PRINTS_EVERYTHING = 'prints every prompt, model response, tool call and chain input and output';

/** Python attributes that are debug switches when assigned a truthy literal. */
const PY_SWITCHES: Record<string, { value: RegExp; effect: string; off: string }> = {
  'langchain.debug': { value: /^True$/, effect: PRINTS_EVERYTHING, off: 'False' },
  'langchain.verbose': { value: /^True$/, effect: 'prints the prompts and outputs of every chain and agent step', off: 'False' },
  'litellm.set_verbose': { value: /^True$/, effect: 'logs every request and response, prompts included', off: 'False' },
  // openai<1.0 module setting; None is its default.
  'openai.log': { value: /^debug$/i, effect: 'logs every request and response, prompts included', off: 'None' },
};

/** Environment variables that turn on SDK debug logging, with the value that does. */
const ENV_SWITCHES: Record<string, { value: RegExp; effect: string }> = {
  OPENAI_LOG: { value: /^debug$/i, effect: 'makes the OpenAI SDK log every request and response, prompts included' },
  ANTHROPIC_LOG: { value: /^debug$/i, effect: 'makes the Anthropic SDK log every request and response, prompts included' },
  LITELLM_LOG: { value: /^debug$/i, effect: 'makes LiteLLM log every request and response, prompts included' },
  LANGCHAIN_VERBOSE: { value: /^true$/i, effect: 'makes LangChain print the prompts and outputs of every chain and agent step' },
};

/** Loggers of AI SDKs whose DEBUG level records request bodies (the prompts). */
const SDK_LOGGERS = /^(openai|anthropic|litellm|LiteLLM|LiteLLM Proxy|LiteLLM Router|langchain[\w.]*|llama_index[\w.]*)$/;

/** Python calls that log or show their arguments. */
const PY_SINKS = /^(builtins\.print|logging\.(debug|info|warning|warn|error|critical|exception|log)|logging\.(getLogger|getLoggerClass)\(\)\.(debug|info|warning|warn|error|critical|exception|log)|loguru\.logger\.\w+|structlog\.get_logger\(\)\.\w+|sys\.(stdout|stderr)\.write|pprint\.pprint|rich\.print|rich\.console\.Console\(\)\.(print|log)|streamlit\.(sidebar\.)?(write|text|code|markdown|json|caption)|click\.echo|typer\.echo)$/;
const PY_SINK_FALLBACK = /(^|\.)(logger|log|_logger|_log|LOGGER|LOG)\.(debug|info|warning|warn|error|critical|exception|log)$/;
const JS_SINKS = /^global\.console\.(log|info|debug|warn|error|trace|dir|table)$/;
const JS_SINK_FALLBACK = /(^|\.)(logger|log|_logger|LOGGER|LOG)\.(debug|info|warn|warning|error|trace|fatal|log)$/;

/** Names of variables, attributes and keys that hold an API key: `api_key`, `OPENAI_API_KEY`, `apiKey`, `hf_token`. */
const KEY_NAME = /^(?:[a-z0-9]+_)*api_?key$|^[a-z0-9]*ApiKey$|^(?:openai|anthropic|groq|gemini|google|mistral|cohere|hf|huggingface|together|replicate|pinecone|langsmith|langchain|xai|perplexity|openrouter|deepseek)_?(?:api_?)?(?:key|token)$/i;

/** Calls whose result shows their argument's text (so a key inside still leaks). */
const PY_TRANSPARENT_CALL = /^(builtins\.(str|repr|format)|json\.dumps|pprint\.pformat)$|\.(format|join|strip|upper|lower|encode|decode)$/;
const JS_TRANSPARENT_CALL = /^global\.(String|JSON\.stringify)$|\.(concat|join|toString|trim|toUpperCase|toLowerCase)$/;

export default defineRule<State>({
  meta: {
    id: 'llm-debug-logging',
    group: 'secrets',
    title: 'LLM debug logging or API keys written to logs',
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [532],
    owasp: ['LLM02'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://cwe.mitre.org/data/definitions/532.html',
      'https://python.langchain.com/docs/how_to/debugging/',
      'https://docs.litellm.ai/docs/debugging/local_debugging',
      'https://github.com/openai/openai-python#logging',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures }, ctx) {
    if (captures.assignment && captures.target && captures.value) return assignedSwitch(ctx, captures.assignment, captures.target, captures.value);
    if (captures.pair && captures.key && captures.value) return logLevelOption(ctx, captures.pair, captures.key, captures.value);
    if (captures.call) return switchCall(ctx, captures.call) ?? loggedSecret(ctx, captures.call);
    return undefined;
  },
  message(s) {
    if (s.kind === 'switch') {
      return `\`${s.what}\` ${s.effect}: in a deployed service, user input, retrieved documents, tool results and model output land in stdout and log pipelines that many more people and systems can read. Remove it, or enable it only for local debugging.`;
    }
    return `\`${s.sink}\` writes ${s.secret} to the output: logs, CI output and log aggregators are read by far more people and systems than the key should be. Log whether a key is set (or its last four characters), never the key itself.`;
  },
  fixes(s) {
    return s.fix ? [s.fix] : [];
  },
});

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

function literalText(ctx: RuleContext, node: Node): string | undefined {
  const v = isPython(ctx) ? ctx.python.literal(node)?.value : ctx.javascript.literal(node)?.value;
  if (typeof v === 'boolean') return isPython(ctx) ? (v ? 'True' : 'False') : String(v);
  return typeof v === 'string' ? v : undefined;
}

function safeFix(title: string, edits: TextEdit[] | TextEdit | undefined): Fix | undefined {
  if (!edits) return undefined;
  return { title, applicability: 'safe', edits: Array.isArray(edits) ? edits : [edits] };
}

/** `langchain.debug = True`, `litellm.set_verbose = True`, `openai.log = "debug"`, `os.environ["OPENAI_LOG"] = "debug"`, `process.env.LANGCHAIN_VERBOSE = "true"`. */
function assignedSwitch(ctx: RuleContext, assignment: Node, target: Node, value: Node): State | undefined {
  const literal = literalText(ctx, value);
  if (literal === undefined) return undefined;
  if (isPython(ctx) && target.type === 'attribute') {
    const name = ctx.python.resolve(target);
    const sw = name ? PY_SWITCHES[name] : undefined;
    if (!sw || !sw.value.test(literal)) return undefined;
    // Turning the switch off keeps the statement (and the import it uses) valid wherever it sits.
    const fix = safeFix(`Set ${name} = ${sw.off}`, { start: value.startIndex, end: value.endIndex, newText: sw.off });
    return { node: assignment, kind: 'switch', what: shorten(assignment.text), effect: sw.effect, fix };
  }
  const env = isPython(ctx) ? pythonEnvRead(ctx, target) : jsEnvRead(ctx, target)?.name;
  const sw = env ? ENV_SWITCHES[env] : undefined;
  if (!sw || !sw.value.test(literal)) return undefined;
  const fix = safeFix(`Remove the ${env} setting`, removeStatement(ctx, assignment));
  return { node: assignment, kind: 'switch', what: shorten(assignment.text), effect: sw.effect, fix };
}

/** `new OpenAI({ logLevel: 'debug' })`, `new Anthropic({ logLevel: 'debug' })`. */
function logLevelOption(ctx: RuleContext, pair: Node, key: Node, value: Node): State | undefined {
  if ((stringValue(key) ?? key.text) !== 'logLevel' || !/^debug$/i.test(literalText(ctx, value) ?? '')) return undefined;
  const object = pair.parent;
  const args = object?.parent;
  const construction = args?.type === 'arguments' ? args.parent : undefined;
  const client = construction ? aiClientAt(ctx, construction) : undefined;
  if (!client) return undefined;
  const quote = value.text.startsWith('"') ? '"' : "'";
  const fix = safeFix("Use the SDK's default log level ('warn')", { start: value.startIndex, end: value.endIndex, newText: `${quote}warn${quote}` });
  return { node: pair, kind: 'switch', what: shorten(pair.text), effect: `makes the ${client.client.name} client log every request and response, prompts included`, fix };
}

/** `set_debug(True)`, `set_verbose(True)`, `litellm._turn_on_debug()`, `set_global_handler("simple")`, `logging.getLogger("openai").setLevel(logging.DEBUG)`. */
const SWITCH_CALLS = /^(langchain(_core)?\.globals\.set_(debug|verbose)|litellm\._turn_on_debug|llama_index(\.core)?\.set_global_handler|logging\.getLogger\(\)\.setLevel)$/;

function switchCall(ctx: RuleContext, call: Node): State | undefined {
  if (!isPython(ctx)) return undefined;
  const name = resolvedCallee(ctx, call);
  if (!name || !SWITCH_CALLS.test(name)) return undefined;
  const args = ctx.python.callArguments(call);
  const first = args.positional[0];
  const what = shorten(call.text);
  if (/^langchain(_core)?\.globals\.set_(debug|verbose)$/.test(name)) {
    const value = first ?? args.keywords.get('value');
    if (!value || ctx.python.literal(value)?.value !== true) return undefined;
    const debug = name.endsWith('set_debug');
    const fix = safeFix(`Call ${name.split('.').pop()}(False)`, { start: value.startIndex, end: value.endIndex, newText: 'False' });
    return { node: call, kind: 'switch', what, effect: debug ? PRINTS_EVERYTHING : 'prints the prompts and outputs of every chain and agent step', fix };
  }
  if (name === 'litellm._turn_on_debug') {
    return { node: call, kind: 'switch', what, effect: 'makes LiteLLM log every request and response, prompts included', fix: safeFix('Remove the debug switch', removeStatement(ctx, call)) };
  }
  if (/^llama_index(\.core)?\.set_global_handler$/.test(name)) {
    const handler = first ?? args.keywords.get('eval_mode');
    if (!handler || ctx.python.literal(handler)?.value !== 'simple') return undefined;
    return { node: call, kind: 'switch', what, effect: 'prints every prompt and LLM response', fix: safeFix('Remove the debug handler', removeStatement(ctx, call)) };
  }
  if (name === 'logging.getLogger().setLevel' && first && isDebugLevel(ctx, first)) {
    const receiver = call.childForFieldName('function')?.childForFieldName('object');
    const loggerName = receiver?.type === 'call' ? ctx.python.callArguments(receiver).positional[0] : undefined;
    const logger = loggerName ? ctx.python.literal(loggerName)?.value : undefined;
    if (typeof logger !== 'string' || !SDK_LOGGERS.test(logger)) return undefined;
    return { node: call, kind: 'switch', what, effect: `makes the \`${logger}\` logger record request bodies, prompts included`, fix: safeFix('Remove the DEBUG level', removeStatement(ctx, call)) };
  }
  return undefined;
}

function isDebugLevel(ctx: RuleContext, node: Node): boolean {
  if (ctx.python.resolve(node) === 'logging.DEBUG') return true;
  const v = ctx.python.literal(node)?.value;
  return v === 10 || (typeof v === 'string' && /^debug$/i.test(v));
}

// ---- API keys in log output --------------------------------------------------------------

/** A logging or printing call whose arguments show an AI API key. */
function loggedSecret(ctx: RuleContext, call: Node): State | undefined {
  const name = resolvedCallee(ctx, call);
  const dotted = dottedCallee(call);
  const isSink = isPython(ctx) ? (name ? PY_SINKS.test(name) : false) || PY_SINK_FALLBACK.test(dotted) : (name ? JS_SINKS.test(name) : false) || JS_SINK_FALLBACK.test(dotted);
  if (!isSink) return undefined;
  const args = call.childForFieldName('arguments');
  if (!args) return undefined;
  for (const arg of args.namedChildren) {
    if (!arg || arg.type === 'comment') continue;
    const found = secretIn(ctx, arg, 0);
    if (found) return { node: call, kind: 'secret', sink: dotted, secret: found.secret, confidence: found.confidence, flow: found.flow };
  }
  return undefined;
}

interface SecretLeaf {
  secret: string;
  confidence: 'high' | 'medium';
  flow?: State['flow'];
}

/**
 * Looks through an expression for a key that its text would show: string building, f-strings,
 * templates, containers and `str()`-like calls pass it on; slices (`key[:4]`), `len()`, `bool()`,
 * comparisons and other calls do not, so masked or summarized keys stay quiet.
 */
function secretIn(ctx: RuleContext, node: Node, depth: number): SecretLeaf | undefined {
  if (depth > 12) return undefined;
  const recurse = (children: (Node | null | undefined)[]) => {
    for (const c of children) {
      const found = c && c.type !== 'comment' ? secretIn(ctx, c, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  };
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier':
      return taintedSecret(ctx, node) ?? (holdsConstant(ctx, node) ? undefined : namedSecret(node.text));
    case 'attribute':
      return namedSecret(node.childForFieldName('attribute')?.text);
    case 'member_expression': {
      const env = jsEnvRead(ctx, node);
      if (env) return isAiKeyEnvName(env.name) ? { secret: `the API key in \`${env.name}\``, confidence: 'high' } : undefined;
      return namedSecret(node.childForFieldName('property')?.text);
    }
    case 'subscript': {
      if (node.namedChildren.some((c) => c?.type === 'slice')) return undefined;
      const env = pythonEnvRead(ctx, node);
      if (env !== undefined) return isAiKeyEnvName(env) ? { secret: `the API key in \`${env}\``, confidence: 'high' } : undefined;
      const key = node.childForFieldName('subscript');
      const keyName = key ? ctx.python.literal(key)?.value : undefined;
      return typeof keyName === 'string' ? namedSecret(keyName) : undefined;
    }
    case 'subscript_expression': {
      const env = jsEnvRead(ctx, node);
      if (env) return isAiKeyEnvName(env.name) ? { secret: `the API key in \`${env.name}\``, confidence: 'high' } : undefined;
      return namedSecret(stringValue(node.childForFieldName('index')));
    }
    case 'call': {
      const env = pythonEnvRead(ctx, node);
      if (env !== undefined) return isAiKeyEnvName(env) ? { secret: `the API key in \`${env}\``, confidence: 'high' } : undefined;
      if (isLocalFunctionCall(ctx, node)) return taintedSecret(ctx, node);
      const name = calleeName(ctx, node) ?? dottedCallee(node);
      if (!PY_TRANSPARENT_CALL.test(name)) return undefined;
      const fn = node.childForFieldName('function');
      return recurse([fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined, ...(node.childForFieldName('arguments')?.namedChildren ?? [])]);
    }
    case 'call_expression': {
      if (isLocalFunctionCall(ctx, node)) return taintedSecret(ctx, node);
      const name = calleeName(ctx, node) ?? dottedCallee(node);
      if (!JS_TRANSPARENT_CALL.test(name)) return undefined;
      const fn = node.childForFieldName('function');
      return recurse([fn?.type === 'member_expression' ? fn.childForFieldName('object') : undefined, ...(node.childForFieldName('arguments')?.namedChildren ?? [])]);
    }
    case 'string':
      return recurse(node.namedChildren.filter((c) => c?.type === 'interpolation').map((c) => c?.namedChildren[0]));
    case 'template_string':
      return recurse(node.namedChildren.filter((c) => c?.type === 'template_substitution').flatMap((c) => c?.namedChildren ?? []));
    case 'binary_operator':
      return recurse([node.childForFieldName('left'), node.childForFieldName('right')]);
    case 'binary_expression': {
      const op = node.childForFieldName('operator')?.text ?? '';
      return /^(\+|\|\||\?\?)$/.test(op) ? recurse([node.childForFieldName('left'), node.childForFieldName('right')]) : undefined;
    }
    case 'boolean_operator':
      return recurse([node.childForFieldName('left'), node.childForFieldName('right')]);
    case 'conditional_expression': {
      const [body, , orElse] = node.namedChildren;
      return recurse([body, orElse]);
    }
    case 'ternary_expression':
      return recurse([node.childForFieldName('consequence'), node.childForFieldName('alternative')]);
    case 'pair':
      return recurse([node.childForFieldName('value')]);
    case 'keyword_argument':
      return recurse([node.childForFieldName('value')]);
    case 'parenthesized_expression':
    case 'concatenated_string':
    case 'tuple':
    case 'list':
    case 'dictionary':
    case 'set':
    case 'expression_list':
    case 'object':
    case 'array':
    case 'spread_element':
    case 'list_splat':
    case 'await_expression':
    case 'as_expression':
    case 'non_null_expression':
      return recurse(node.namedChildren);
    default:
      return undefined;
  }
}

/** A variable bound to a constant that is no credential: `API_KEY_VAR = "OPENAI_API_KEY"`, `api_key = None`. */
function holdsConstant(ctx: RuleContext, node: Node): boolean {
  const def = definitionOf(ctx, node);
  if (def.id === node.id) return false;
  const value = isPython(ctx) ? ctx.python.literal(def) : ctx.javascript.literal(def);
  return value !== undefined && (typeof value.value !== 'string' || !looksLikeSecretValue(value.value));
}

function namedSecret(name: string | undefined): SecretLeaf | undefined {
  return name && KEY_NAME.test(name) ? { secret: `the API key in \`${name}\``, confidence: 'medium' } : undefined;
}

/**
 * A variable holding an AI key read from the environment (through assignments, string building
 * and same-file functions). Paths through other calls are not followed: a client built with the
 * key, or its responses, do not print the key.
 */
function taintedSecret(ctx: RuleContext, node: Node): SecretLeaf | undefined {
  const path = ctx.taint.taintOf(node, { labels: ['secret'] });
  if (!path) return undefined;
  const source = path.steps[0]?.node;
  const env = source ? (isPython(ctx) ? pythonEnvRead(ctx, source) : jsEnvRead(ctx, source)?.name) : undefined;
  if (!env || !isAiKeyEnvName(env) || throughOpaqueCall(ctx, path)) return undefined;
  const flow = path.steps.map((s) => ({ path: ctx.path, range: { start: s.node.startIndex, end: s.node.endIndex }, message: s.message }));
  return { secret: `the API key from \`${env}\``, confidence: 'high', flow };
}

function throughOpaqueCall(ctx: RuleContext, path: TaintPath): boolean {
  return path.steps.slice(1).some((s) => {
    if (s.node.type !== 'call' && s.node.type !== 'call_expression' && s.node.type !== 'new_expression') return false;
    if (isLocalFunctionCall(ctx, s.node)) return false;
    const name = calleeName(ctx, s.node) ?? dottedCallee(s.node);
    return !(isPython(ctx) ? PY_TRANSPARENT_CALL : JS_TRANSPARENT_CALL).test(name);
  });
}

const LOCAL_FUNCTIONS = new Set(['function_definition', 'function_declaration', 'arrow_function', 'function_expression']);

/** A call of a function defined in this file (`get_key()`): the analysis followed its return values. */
function isLocalFunctionCall(ctx: RuleContext, call: Node): boolean {
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'identifier') return false;
  const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
  const binding = scopes.scopeAt(fn).lookup(fn.text, fn.startIndex);
  if (binding?.kind === 'opaque') return !!binding.node && LOCAL_FUNCTIONS.has(binding.node.type);
  return binding?.kind === 'value' && LOCAL_FUNCTIONS.has(binding.value.type);
}
