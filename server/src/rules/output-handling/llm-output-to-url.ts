import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import { comparisonOperator, derivedNames, identifiersIn, isGuarded, mentions, methodCall, operands, unwrap, type Judge, type Verdict } from '../guards';
import { calleeName, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

/** Python HTTP clients: the qualified name, and where the URL argument is. */
const PY_METHODS = '(get|post|put|patch|delete|head|options|stream|request)';
const PY_SINKS: [RegExp, { name: string; position: number }][] = [
  // `requests.request(method, url)` and friends take the method first.
  [/^(requests(\.api)?|requests(\.sessions)?\.Session\(\)|httpx|httpx\.(Async)?Client\(\)|aiohttp|aiohttp\.ClientSession\(\)|urllib3|urllib3\.PoolManager\(\))\.request$/, { name: 'url', position: 1 }],
  [new RegExp(String.raw`^(requests(\.api)?|requests(\.sessions)?\.Session\(\)|httpx|httpx\.(Async)?Client\(\))\.${PY_METHODS}$`), { name: 'url', position: 0 }],
  [/^aiohttp\.ClientSession\(\)\.(get|post|put|patch|delete|head|options|ws_connect)$/, { name: 'url', position: 0 }],
  [/^urllib\.request\.(urlopen|Request|urlretrieve)$/, { name: 'url', position: 0 }],
];

/** JS/TS HTTP clients (the URL is the first argument, or `url` of an options object). */
const JS_SINKS = /^(global\.fetch|node-fetch|cross-fetch|undici\.(fetch|request|stream)|axios(\.default)?(\.create\(\))?(\.(get|post|put|patch|delete|head|options|request))?|got(\.(get|post|put|patch|delete|head|stream))?|ky(\.(get|post|put|patch|delete|head))?|(node:)?https?\.(get|request))$/;

/** Options-object properties that decide where a request goes. */
const JS_TARGET_PROPERTIES = ['url', 'baseURL', 'prefixUrl', 'host', 'hostname', 'origin'];

interface State extends TaintedValue {
  sink: string;
}

/**
 * The qualified name of a Python call, also when its receiver was bound by `with … as x`
 * (`async with aiohttp.ClientSession() as session: session.get(url)`), which name resolution
 * does not follow yet.
 */
function pythonCallee(ctx: RuleContext, call: Node): string | undefined {
  const direct = calleeName(ctx, call);
  if (direct) return direct;
  const callee = call.childForFieldName('function');
  const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
  const attr = callee?.childForFieldName('attribute')?.text;
  if (object?.type !== 'identifier' || !attr) return undefined;
  const binding = ctx.python.scopes.scopeAt(object).lookup(object.text, object.startIndex);
  if (binding?.kind !== 'element' || binding.value.parent?.type !== 'as_pattern') return undefined;
  const manager = ctx.python.resolve(binding.value);
  return manager ? `${manager}.${attr}` : undefined;
}

/** The URL argument of an HTTP call, with the call's name for messages. */
function urlArgument(ctx: RuleContext, call: Node): { url: Node; sink: string } | undefined {
  if (isPython(ctx)) {
    const name = pythonCallee(ctx, call);
    const row = name ? PY_SINKS.find(([re]) => re.test(name)) : undefined;
    const url = row && ctx.python.argument(call, row[1].name, row[1].position);
    return url && name ? { url, sink: name } : undefined;
  }
  const name = calleeName(ctx, call);
  if (!name || !JS_SINKS.test(name)) return undefined;
  const first = ctx.javascript.callArguments(call)[0];
  if (!first) return undefined;
  const sink = name.replace(/^global\./, '');
  // `axios({ url })`, `https.request({ hostname, path })`: only the properties that pick the host.
  if (unwrap(ctx.javascript.definition(first)).type === 'object') {
    const target = JS_TARGET_PROPERTIES.map((p) => ctx.javascript.property(first, p)).find((n): n is Node => !!n);
    return target ? { url: target, sink } : undefined;
  }
  return { url: first, sink };
}

/** The constant text a string expression starts with (f-string/template head, `"…" + x`, `"…{}".format(x)`, `"…%s" % x`). */
function constantPrefix(ctx: RuleContext, node: Node, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const n = unwrap(isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node));
  const literal = isPython(ctx) ? ctx.python.literal(n) : ctx.javascript.literal(n);
  if (typeof literal?.value === 'string') return literal.value;
  if (n.type === 'string' || n.type === 'template_string') {
    const head = n.namedChildren.find((c) => c?.type !== 'string_start');
    return head && (head.type === 'string_content' || head.type === 'string_fragment') ? head.text : '';
  }
  if (n.type === 'binary_operator' || n.type === 'binary_expression') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left');
    if (!left || (op !== '+' && op !== '%')) return undefined;
    const prefix = constantPrefix(ctx, left, depth + 1);
    return op === '%' ? prefix?.split('%')[0] : prefix;
  }
  const format = methodCall(n);
  if (format?.method === 'format') return constantPrefix(ctx, format.receiver, depth + 1)?.split('{')[0];
  return undefined;
}

/**
 * Whether the URL's scheme and host are fixed by a constant prefix: `f"https://api.example.com/search?q={q}"`.
 * The host must be followed by `/`, `?` or `#`: `"https://api.example.com" + x` lets `x` continue
 * the host (`.evil.net`) or turn it into user info (`@evil.net`).
 */
function fixedHost(ctx: RuleContext, url: Node): boolean {
  const prefix = constantPrefix(ctx, url);
  return prefix !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s{}$]+[/?#]/i.test(prefix);
}

const HOST_PARTS = /^(hostname|host|netloc|origin|domain)$/;

/**
 * Host allow-list checks of the URL: `urlparse(url).hostname in ALLOWED`, `host == "api.x.com"`,
 * `ALLOWED.has(new URL(u).host)`, `url.startswith("https://api.x.com/")`. `names` are the URL's
 * variables and everything computed from them in the function.
 */
function hostJudge(ctx: RuleContext, names: Set<string>): Judge {
  // A host of the URL: `parsed.hostname`, `urlparse(url).netloc`, or a variable holding one.
  const isHost = (n: Node): boolean => {
    const e = unwrap(n);
    if (e.type === 'identifier') return names.has(e.text) && (HOST_PARTS.test(e.text) || hostVariable(e));
    if (e.type === 'attribute' || e.type === 'member_expression') {
      const part = e.childForFieldName(e.type === 'attribute' ? 'attribute' : 'property')?.text ?? '';
      const object = e.childForFieldName('object');
      return HOST_PARTS.test(part) && !!object && mentions(object, names);
    }
    // `host.lower()`, `hostname.toLowerCase()`.
    const call = methodCall(e);
    return !!call && /^(lower|casefold|strip|toLowerCase|trim)$/.test(call.method) && isHost(call.receiver);
  };
  // `host = urlparse(url).hostname`, `const { hostname } = new URL(u)`.
  const hostVariable = (id: Node): boolean => {
    const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
    const binding = scopes.scopeAt(id).lookup(id.text, id.startIndex);
    if (binding?.kind === 'element') return !!binding.key && HOST_PARTS.test(binding.key);
    return binding?.kind === 'value' && binding.value.id !== id.id && isHost(binding.value);
  };
  return (atom: Node): Verdict => {
    const op = comparisonOperator(atom);
    const sides = op ? operands(atom) : undefined;
    if (op && sides) {
      const [left, right] = sides;
      if (op === 'in' && isHost(left)) return 'allows';
      if (op === 'not in' && isHost(left)) return 'rejects';
      if ((op === '==' || op === '===') && (isHost(left) || isHost(right))) return 'allows';
      if ((op === '!=' || op === '!==') && (isHost(left) || isHost(right))) return 'rejects';
      return undefined;
    }
    const call = methodCall(unwrap(atom));
    if (!call) return undefined;
    if (/^(has|includes|__contains__)$/.test(call.method) && call.args[0] && isHost(call.args[0])) return 'allows';
    // A URL prefix that ends the host: `url.startswith("https://api.example.com/")`.
    // Python also takes a tuple of prefixes: every one must end the host.
    if (/^(startswith|startsWith)$/.test(call.method) && mentions(call.receiver, names) && call.args[0]) {
      const arg = unwrap(call.args[0]);
      const prefixes = arg.type === 'tuple' ? arg.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [arg];
      const fixed = prefixes.map((p) => constantPrefix(ctx, p));
      if (fixed.length > 0 && fixed.every((p) => p !== undefined && /^[a-z][a-z0-9+.-]*:\/\/[^/?#@\s]+\//i.test(p))) return 'allows';
    }
    return undefined;
  };
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-url',
    group: 'output-handling',
    title: 'Model output chooses the URL of a server-side request',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [918],
    owasp: ['LLM05', 'LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/918.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const target = urlArgument(ctx, call);
    if (!target || fixedHost(ctx, target.url)) return undefined;
    const query = { labels: ['llm-output'], sanitizers: ['url'], skipToolArguments: true } as const;
    const found = taintedAt(ctx, target.url, query, call);
    if (!found) return undefined;
    // The URL's tainted variables, and what the function computes from them (`parsed`, `host`).
    const seeds = identifiersIn(target.url).filter((id) => !!ctx.taint.taintOf(id, query)).map((id) => id.text);
    if (isGuarded(call, hostJudge(ctx, derivedNames(ctx, call, seeds)))) return undefined;
    return { ...found, sink: target.sink.replace(/^(global|builtins)\./, '') };
  },
  message(s, ctx) {
    const how = isPython(ctx) ? '`urlparse(url).hostname in ALLOWED_HOSTS`' : '`ALLOWED_HOSTS.has(new URL(url).hostname)`';
    return `Model output chooses the URL fetched by \`${s.sink}\` (${fromSource(s.path)}): a prompt injection can point this server-side request at internal services, cloud metadata endpoints or an attacker's server, and read or leak what comes back. Check the host against an allow-list first (${how}), or let the model choose only a path or query under a fixed host.`;
  },
});
