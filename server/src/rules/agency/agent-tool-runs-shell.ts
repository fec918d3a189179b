import type { Node, Tree } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { SanitizerKind, TaintPath } from '../../engine/taint/types';
import { constantPrefix, descendantsOfType, enclosingToolHandler, isParameterNode, parameterNames, toolHandlers, type ToolHandler } from '../agent-tools';
import { comparisonOperator, derivedNames, isGuarded, methodCall, namesIn, operands, unwrap, type Verdict } from '../guards';
import { calleeName, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

/** What the sink does with the value. */
type Kind = 'shell' | 'code' | 'sql' | 'url' | 'path';

interface Sink {
  kind: Kind;
  /** The callee for messages: `subprocess.run`, `child_process.exec`, `cursor.execute`. */
  name: string;
  /** The arguments that carry the command, code, SQL text, URL or path. */
  values: Node[];
}

// The sink table: small on purpose, one row per API family. [callee, kind, keyword, position].
const PY_SINKS: [RegExp, Kind, string, number][] = [
  [/^subprocess\.(getoutput|getstatusoutput)$/, 'shell', 'cmd', 0],
  [/^os\.(system|popen)$/, 'shell', 'command', 0],
  [/^os\.exec\w+$/, 'shell', 'file', 0],
  [/^asyncio\.create_subprocess_shell$/, 'shell', 'cmd', 0],
  [/^pexpect\.(spawn|run)$/, 'shell', 'command', 0],
  [/^(fabric\.Connection\(\)|invoke)\.(run|sudo)$/, 'shell', 'command', 0],
  [/^paramiko\.SSHClient\(\)\.exec_command$/, 'shell', 'command', 0],
  [/^builtins\.(eval|exec|compile)$/, 'code', 'source', 0],
  [/^(sqlite3|psycopg2?|pymysql|MySQLdb|mysql\.connector|duckdb)\.connect\(\)(\.cursor\(\))?\.(execute|executemany|executescript|sql|query)$/, 'sql', 'sql', 0],
  [/^duckdb\.(sql|query|execute)$/, 'sql', 'query', 0],
  [/^sqlalchemy\.text$/, 'sql', 'text', 0],
  [/^sqlalchemy\..*\.(exec_driver_sql)$/, 'sql', 'statement', 0],
  [/^pandas\.read_sql(_query)?$/, 'sql', 'sql', 0],
  [/^(requests|httpx)\.(get|post|put|patch|delete|head|options|stream)$/, 'url', 'url', 0],
  [/^(requests|httpx)\.request$/, 'url', 'url', 1],
  [/^(requests\.Session|httpx\.(Async)?Client|aiohttp\.ClientSession)\(\)\.(get|post|put|patch|delete|head)$/, 'url', 'url', 0],
  [/^urllib\.request\.(urlopen|Request|urlretrieve)$/, 'url', 'url', 0],
  [/^(builtins|io|codecs)\.open$|^aiofiles\.open$/, 'path', 'file', 0],
  [/^os\.(remove|unlink|rmdir|removedirs|listdir|scandir|makedirs|mkdir|chmod|rename|replace)$/, 'path', 'path', 0],
  [/^shutil\.(rmtree|copy|copy2|copyfile|copytree|move)$/, 'path', 'src', 0],
];
const PY_SUBPROCESS = /^subprocess\.(run|call|check_call|check_output|Popen)$/;
const PY_SUBPROCESS_EXEC = /^asyncio\.create_subprocess_exec$/;
/** pathlib methods that touch the file named by their receiver. */
const PATH_METHODS = /^(read_text|read_bytes|write_text|write_bytes|unlink|rmdir|touch|iterdir|rename|replace)$/;
/** Methods that run SQL text on a database handle (resolved or by the receiver's name). */
const SQL_METHODS = /^(execute|executemany|executescript|exec_driver_sql)$/;
const DB_RECEIVER = /(^|\.|_)(cur|cursor|conn|connection|con|db|database|session|engine|tx)$/i;
const HTTP_RECEIVER = /(^|\.|_)(client|session|http|http_client)$/i;
const HTTP_METHODS = /^(get|post|put|patch|delete|head|request)$/;

const JS_CHILD_PROCESS = String.raw`(node:)?child_process(\.default)?`;
const JS_SHELL = new RegExp(String.raw`^${JS_CHILD_PROCESS}\.(exec|execSync)$|^shelljs(\.default)?\.exec$|^execa(\.default)?\.(execaCommand|execaCommandSync)$`);
const JS_SPAWN = new RegExp(String.raw`^${JS_CHILD_PROCESS}\.(spawn|spawnSync|execFile|execFileSync)$|^execa(\.default)?(\.(execa|execaSync))?$`);
const JS_CODE = /^(global\.(eval|Function)|(node:)?vm\.(runInNewContext|runInThisContext|runInContext|compileFunction|Script))$/;
const JS_FETCH = /^(global\.fetch|(axios|got|ky|node-fetch|cross-fetch|undici)(\.default)?(\.(get|post|put|patch|delete|head|request|fetch|stream))?|(node:)?https?\.(get|request))$/;
const JS_FS = /^(node:)?fs(-extra|\/promises)?(\.promises)?(\.default)?\.(readFile|readFileSync|writeFile|writeFileSync|appendFile|appendFileSync|unlink|unlinkSync|rm|rmSync|rmdir|rmdirSync|readdir|readdirSync|createReadStream|createWriteStream|copyFile|copyFileSync|rename|renameSync|mkdir|mkdirSync|open|openSync|cp|cpSync|remove|removeSync|outputFile)$/;
const JS_SQL_METHODS = /^(query|execute|exec|raw|prepare|unsafe|\$queryRawUnsafe|\$executeRawUnsafe)$/;
const JS_DB_RECEIVER = /(^|\.)(db|pool|client|conn|connection|sql|knex|sequelize|prisma|pg|mysql|sqlite|database|tx|trx)$/i;
const JS_DB_MODULES = /^(pg|mysql2?|better-sqlite3|sqlite3?|knex|sequelize|@prisma\/client|postgres|@neondatabase\/serverless|@vercel\/postgres|duckdb)(\/|\.|$)/;
/** Program names that run their `-c` argument as a command or script. */
const SHELLS = /^(sh|bash|zsh|dash|ksh|cmd|cmd\.exe|powershell|pwsh|python3?|node)$/;
const SHELL_FLAGS = /^(-c|\/c|\/C|-Command|-e|--eval)$/;

const SANITIZERS: Record<Kind, SanitizerKind[]> = {
  shell: ['shell', 'number'],
  code: ['number'],
  sql: ['sql', 'number'],
  url: ['url', 'number'],
  path: ['path', 'number'],
};

/** Sanitizer callees the local fallback recognizes (the taint analysis has its own table). */
const FALLBACK_SANITIZERS: Record<Kind, RegExp> = {
  shell: /^(shlex\.(quote|join)|builtins\.(int|float)|shell-quote\.quote|global\.(Number|parseInt))$/,
  code: /^(builtins\.(int|float)|global\.(Number|parseInt))$/,
  sql: /^(builtins\.(int|float)|global\.(Number|parseInt))$/,
  url: /^(builtins\.(int|float)|global\.(Number|parseInt|encodeURIComponent)|urllib\.parse\.quote)$/,
  path: /^(os\.path\.basename|werkzeug\.utils\.secure_filename|builtins\.(int|float)|(node:)?path\.basename|global\.(Number|parseInt))$/,
};

interface State extends TaintedValue {
  sink: Sink;
}

export default defineRule<State>({
  meta: {
    id: 'agent-tool-runs-shell',
    group: 'agency',
    title: 'Agent tool passes a model-chosen argument to a shell, eval, SQL, fetch or file sink',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [78, 94, 89, 918, 22],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://cwe.mitre.org/data/definitions/89.html',
      'https://cwe.mitre.org/data/definitions/918.html',
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://modelcontextprotocol.io/specification/2025-06-18/server/tools#security-considerations',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    // Files without tools have no model-chosen arguments (the handler forms the taint analysis
    // knows are a subset of the ones agent-tools.ts finds).
    if (toolHandlers(ctx).length === 0) return undefined;
    const sink = isPython(ctx) ? pythonSink(ctx, call) : javascriptSink(ctx, call);
    if (!sink) return undefined;
    for (const value of sink.values) {
      if (sink.kind === 'url' && hasFixedHost(ctx, value)) continue;
      const found = viaTaint(ctx, value, sink.kind, call) ?? viaHandler(ctx, value, sink.kind, call);
      if (!found) continue;
      if (isGuarded(call, guardJudge(ctx, call, value))) continue;
      return { ...found, sink };
    }
    return undefined;
  },
  message(s, ctx) {
    return `${capitalize(describeSource(ctx, s.path))} reaches \`${s.sink.name}\`: ${CONSEQUENCE[s.sink.kind]}`;
  },
});

const CONSEQUENCE: Record<Kind, string> = {
  shell: 'it runs as a command on this machine (CWE-78). A prompt injection anywhere in the agent\'s context — a web page, a document, another tool\'s result — can run any command here. Run a fixed program with an argument list (no shell), and check the argument against an allow-list.',
  code: 'it is evaluated as code in this process (CWE-94). A prompt injection anywhere in the agent\'s context can run anything here. Offer narrow operations instead, or run code in a sandbox with no secrets and no network.',
  sql: 'it is executed as SQL text (CWE-89). The model, or an injection steering it, can read or destroy any table the connection can reach. Keep the SQL fixed with bound parameters, and connect with a read-only role.',
  url: 'it chooses the host this server requests (CWE-918, SSRF): internal services and cloud metadata endpoints (169.254.169.254) become reachable. Fix the host in code, or check it against an allow-list before fetching.',
  path: 'it chooses the file path (CWE-22): an absolute path or `..` reaches any file the process can read or write, `.env` and SSH keys included. Resolve it under a base directory and check that it stays there.',
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "the model-chosen argument `cmd` of tool `run_shell`", naming the tool as it is registered. */
function describeSource(ctx: RuleContext, path: TaintPath): string {
  const m = /^argument `([^`]+)` of tool `([^`]+)`/.exec(path.source);
  if (!m) return `a model-chosen value (${path.source})`;
  const param = path.steps[0]?.node;
  const handler = param ? toolHandlers(ctx).find((h) => h.fn.startIndex <= param.startIndex && param.endIndex <= h.fn.endIndex && isParameterNode(param)) : undefined;
  return `the model-chosen argument \`${m[1]}\` of tool \`${handler?.name ?? m[2].replace(/\(\)$/, '')}\``;
}

/** The taint analysis: a tool parameter (label llm-output, source at a parameter) reaches the value. */
function viaTaint(ctx: RuleContext, value: Node, kind: Kind, call: Node): TaintedValue | undefined {
  const found = taintedAt(ctx, value, { labels: ['llm-output'], sanitizers: SANITIZERS[kind] }, call);
  // Model OUTPUT reaching sinks is the output-handling rules' business; this rule is about tools.
  if (!found || !isParameterNode(found.path.steps[0]?.node ?? value)) return undefined;
  if (kind === 'path' && isPython(ctx) && keepsOnlyFileName(ctx, [value, ...found.path.steps.map((s) => s.node)])) return undefined;
  return found;
}

/**
 * `Path(filename).name` / `.stem` keeps only the last path component, like `os.path.basename`
 * (which the taint analysis knows): no `..`, no absolute path. Local workaround until the
 * analysis treats it as a path sanitizer.
 */
function keepsOnlyFileName(ctx: RuleContext, nodes: Node[]): boolean {
  return nodes.some((n) =>
    descendantsOfType(n, ATTRIBUTE).some((a) => {
      const attr = a.childForFieldName('attribute')?.text;
      return (attr === 'name' || attr === 'stem') && /^pathlib\.(Pure)?(Posix|Windows)?Path\(\)$/.test(ctx.python.resolve(a.childForFieldName('object')) ?? '');
    }),
  );
}

const ATTRIBUTE = new Set(['attribute']);
const READS = new Set(['identifier', 'shorthand_property_identifier']);

const engineKnows = new WeakMap<Tree, Map<number, boolean>>();

/**
 * Local workaround for tool forms the taint analysis does not treat as sources (tools registered
 * by a call, JS `execute` methods and handlers given by reference): the value is built from the
 * handler's parameters (through local assignments) and no sanitizer call wraps it.
 */
function viaHandler(ctx: RuleContext, value: Node, kind: Kind, call: Node): TaintedValue | undefined {
  const handler = enclosingToolHandler(ctx, call);
  if (!handler || knownToEngine(ctx, handler)) return undefined;
  const params = parameterNames(handler.fn);
  if (params.length === 0) return undefined;
  const used = namesIn(value);
  const param = params.find((p) => [...derivedNames(ctx, call, [p.text])].some((d) => used.has(d)));
  if (!param || sanitizedLocally(ctx, value, kind)) return undefined;
  const source = `argument \`${param.text}\` of tool \`${handler.name}\` (the model chooses it)`;
  const path: TaintPath = { label: 'llm-output', source, steps: [{ node: param, message: `source: ${source}` }] };
  return {
    node: call,
    value,
    path,
    flow: [
      { path: ctx.path, range: { start: param.startIndex, end: param.endIndex }, message: `source: ${source}` },
      { path: ctx.path, range: { start: value.startIndex, end: value.endIndex }, message: 'reaches the sink here' },
    ],
  };
}

/** Whether the taint analysis already treats the handler's parameters as model-chosen (probed on a use). */
function knownToEngine(ctx: RuleContext, handler: ToolHandler): boolean {
  let known = engineKnows.get(ctx.tree);
  if (!known) engineKnows.set(ctx.tree, (known = new Map()));
  const cached = known.get(handler.fn.id);
  if (cached !== undefined) return cached;
  // The first read of a parameter in the body: does the analysis say it comes from the model?
  const names = new Set(parameterNames(handler.fn).map((p) => p.text));
  const body = handler.fn.childForFieldName('body');
  const use = body ? descendantsOfType(body, READS).find((n) => names.has(n.text) && !isAttributeName(n)) : undefined;
  const path = use ? ctx.taint.taintOf(use, { labels: ['llm-output'] }) : undefined;
  const result = !!path && isParameterNode(path.steps[0]?.node ?? use!);
  known.set(handler.fn.id, result);
  return result;
}

function isAttributeName(n: Node): boolean {
  return n.parent?.type === 'attribute' && n.parent.childForFieldName('attribute')?.id === n.id;
}

function sanitizedLocally(ctx: RuleContext, value: Node, kind: Kind): boolean {
  const stack: Node[] = [isPython(ctx) ? ctx.python.definition(value) : ctx.javascript.definition(value)];
  for (let i = 0; stack.length > 0 && i < 200; i++) {
    const n = stack.pop()!;
    if (n.type === 'call' || n.type === 'call_expression') {
      const name = calleeName(ctx, n);
      if (name && FALLBACK_SANITIZERS[kind].test(name)) return true;
    }
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return false;
}

/** `f"https://api.example.com/search?q={q}"`: the host is fixed, the model only picks a parameter. */
function hasFixedHost(ctx: RuleContext, url: Node): boolean {
  const object = !isPython(ctx) ? ctx.javascript.definition(url) : undefined;
  const target = object?.type === 'object' ? ctx.javascript.property(object, 'url') : url;
  if (!target) return true; // an options object without `url`: nothing to judge here
  const { text } = constantPrefix(ctx, target);
  return /^[a-z][\w+.-]*:\/\/[^/?#{}$]+[/?#]/i.test(text);
}

function pythonSink(ctx: RuleContext, call: Node): Sink | undefined {
  const py = ctx.python;
  const callee = call.childForFieldName('function');
  const name = calleeName(ctx, call);
  const display = (n: string) => displayName(n, callee);
  if (name && PY_SUBPROCESS.test(name)) {
    const args = py.argument(call, 'args', 0);
    if (!args) return undefined;
    const shell = py.argument(call, 'shell');
    const shellOn = !!shell && py.literal(shell)?.value !== false;
    return { kind: 'shell', name: shellOn ? `${name}(shell=True)` : name, values: commandParts(ctx, args, shellOn) };
  }
  if (name && PY_SUBPROCESS_EXEC.test(name)) {
    const positional = py.callArguments(call).positional;
    return { kind: 'shell', name, values: argvParts(ctx, positional) };
  }
  const row = name ? PY_SINKS.find(([re]) => re.test(name)) : undefined;
  if (row) {
    const value = py.argument(call, row[2], row[3]);
    const values = value ? [value] : [];
    // shutil.copy/move(src, dst): the destination is a path too.
    if (/^shutil\.(copy|copy2|copyfile|copytree|move)$/.test(name!)) {
      const dst = py.argument(call, 'dst', 1);
      if (dst) values.push(dst);
    }
    return values.length > 0 ? { kind: row[1], name: display(name!), values } : undefined;
  }
  if (callee?.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const receiver = callee.childForFieldName('object');
  if (!receiver) return undefined;
  // `Path(p).read_text()`, `(BASE / name).unlink()`: the receiver is the path.
  if (PATH_METHODS.test(method) && (!name || /^pathlib\./.test(name))) return { kind: 'path', name: `Path.${method}`, values: [receiver] };
  // `cursor.execute(sql)` on a connection the resolver cannot follow (a parameter, `self.db`, a `with` target).
  if (SQL_METHODS.test(method) && (name ? /^(sqlite3|psycopg2?|pymysql|MySQLdb|mysql|sqlalchemy|duckdb|aiosqlite|asyncpg)\./.test(name) : DB_RECEIVER.test(receiver.text))) {
    const sql = py.argument(call, 'sql', 0) ?? py.argument(call, 'statement', 0) ?? py.argument(call, 'query', 0);
    return sql ? { kind: 'sql', name: `${short(receiver.text)}.${method}`, values: [sql] } : undefined;
  }
  // `async with httpx.AsyncClient() as client: await client.get(url)` (a `with` target does not resolve).
  if (!name && HTTP_METHODS.test(method) && HTTP_RECEIVER.test(receiver.text) && /\b(httpx|requests|aiohttp)\b/.test(ctx.text)) {
    const url = py.argument(call, 'url', method === 'request' ? 1 : 0);
    return url ? { kind: 'url', name: `${short(receiver.text)}.${method}`, values: [url] } : undefined;
  }
  return undefined;
}

/**
 * The parts of a subprocess command that decide what runs: the whole string (with a shell, or
 * as the program name), the program of an argument list, and the script of `sh -c <script>`.
 */
function commandParts(ctx: RuleContext, args: Node, shellOn: boolean): Node[] {
  const def = ctx.python.definition(args);
  if (def.type !== 'list' && def.type !== 'tuple') return [args];
  const items = def.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (shellOn) return items.slice(0, 1);
  return argvParts(ctx, items);
}

/** An argv list: the program, and the script after `-c` when the program is a shell or interpreter. */
function argvParts(ctx: RuleContext, items: Node[]): Node[] {
  if (items.length === 0) return [];
  const literal = (n: Node) => (isPython(ctx) ? ctx.python.literal(n) : ctx.javascript.literal(n))?.value;
  const program = literal(items[0]);
  if (typeof program === 'string' && SHELLS.test(program.replace(/^.*[\\/]/, ''))) {
    const flag = items.findIndex((n, i) => i > 0 && typeof literal(n) === 'string' && SHELL_FLAGS.test(literal(n) as string));
    return flag >= 0 && items[flag + 1] ? [items[flag + 1]] : [];
  }
  return [items[0]];
}

function javascriptSink(ctx: RuleContext, call: Node): Sink | undefined {
  if (call.childForFieldName('arguments')?.type === 'template_string') return undefined; // tagged templates escape their values
  const js = ctx.javascript;
  const args = js.callArguments(call);
  let name = calleeName(ctx, call);
  // `const run = promisify(exec)`: the promisified function is the sink.
  const callee = call.childForFieldName('function');
  if (name && /^(node:)?util(\.default)?\.promisify\(\)$/.test(name) && callee) {
    const def = js.definition(callee);
    const inner = def.type === 'call_expression' ? js.callArguments(def)[0] : undefined;
    name = inner ? js.resolve(inner) : undefined;
  }
  const display = (n: string) => displayName(n, callee);
  if (name && JS_SHELL.test(name)) return args[0] ? { kind: 'shell', name: display(name), values: [args[0]] } : undefined;
  if (name && JS_SPAWN.test(name)) {
    if (!args[0]) return undefined;
    const list = args[1] ? js.definition(args[1]) : undefined;
    const argv = list?.type === 'array' ? list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') : [];
    const options = args.find((a, i) => i > 0 && js.definition(a).type === 'object');
    const shell = options ? js.property(options, 'shell') : undefined;
    const shellOn = !!shell && js.literal(shell)?.value !== false;
    const values = shellOn ? [args[0], ...argv] : argvParts(ctx, [args[0], ...argv]);
    return { kind: 'shell', name: display(name), values };
  }
  if (name && JS_CODE.test(name)) {
    const code = /Function$/.test(name) ? args[args.length - 1] : args[0];
    return code ? { kind: 'code', name: display(name), values: [code] } : undefined;
  }
  if (name && JS_FETCH.test(name)) return args[0] ? { kind: 'url', name: display(name), values: [args[0]] } : undefined;
  if (name && JS_FS.test(name)) {
    const values = /(copyFile|rename|cp)(Sync)?$/.test(name) ? args.slice(0, 2) : args.slice(0, 1);
    return values.length > 0 ? { kind: 'path', name: display(name), values } : undefined;
  }
  const m = methodCall(call);
  if (m && JS_SQL_METHODS.test(m.method) && m.args[0]) {
    const receiver = unwrap(m.receiver);
    const resolved = js.resolve(receiver);
    const isDb = m.method.startsWith('$') || (resolved ? JS_DB_MODULES.test(resolved) : JS_DB_RECEIVER.test(receiver.text.replace(/\s+/g, '')));
    if (isDb) return { kind: 'sql', name: `${short(receiver.text)}.${m.method}`, values: [m.args[0]] };
  }
  return undefined;
}

/**
 * Checks that make the call safe for this value: an allow-list membership test, an equality
 * with a constant, a path containment check (`is_relative_to`, `startswith`, `commonpath`), a
 * full-match validation, or a rejection of `..`.
 */
function guardJudge(ctx: RuleContext, call: Node, value: Node) {
  const names = relatedNames(ctx, call, value);
  const about = (n: Node | undefined | null) => !!n && [...namesIn(n)].some((x) => names.has(x));
  const isConstant = (n: Node) => n.type === 'string' || n.type === 'template_string' || n.type === 'integer' || n.type === 'number';
  return (atom: Node): Verdict => {
    const op = comparisonOperator(atom);
    const sides = op ? operands(atom) : undefined;
    if (op && sides) {
      const [left, right] = sides;
      if (op === 'in' || op === 'not in') {
        // `".." in path` is a rejection test; `name in ALLOWED` an allow-list.
        if (isConstant(left) && about(right)) return op === 'in' ? 'rejects' : 'allows';
        if (about(left) && !about(right)) return op === 'in' ? 'allows' : 'rejects';
        return undefined;
      }
      const positive = op === '==' || op === '===';
      const negative = op === '!=' || op === '!==';
      if (!positive && !negative) return undefined;
      const commonpath = (n: Node) => n.type === 'call' && /commonpath$/.test(calleeName(ctx, n) ?? '') && about(n);
      if ((about(left) && isConstant(right)) || (about(right) && isConstant(left)) || commonpath(left) || commonpath(right)) return positive ? 'allows' : 'rejects';
      return undefined;
    }
    const target = unwrap(atom);
    const m = methodCall(target);
    if (m) {
      if (/^(is_relative_to|startswith|startsWith)$/.test(m.method) && about(m.receiver)) return 'allows';
      if (/^(includes|has|__contains__)$/.test(m.method) && about(m.args[0]) && !about(m.receiver)) return 'allows';
      if (/^(fullmatch|match|test)$/.test(m.method) && m.args.some((a) => about(a))) return 'allows';
    }
    if (target.type === 'call' && /^re\.(fullmatch|match)$/.test(calleeName(ctx, target) ?? '') && ctx.python.callArguments(target).positional.slice(1).some((a) => about(a))) return 'allows';
    return undefined;
  };
}

/** `subprocess.run` as resolved; an instance method as written (`cur.execute`, not `sqlite3.connect().cursor().execute`). */
function displayName(resolved: string, callee: Node | null): string {
  if (resolved.includes('()') && callee) return short(callee.text);
  return resolved.replace(/^(builtins|global)\./, '').replace(/^node:/, '');
}

/**
 * The variables a check must be about to protect `value`: those the value is built from (followed
 * back through local assignments, stopping at parameters and module constants) and those built
 * from them (`host = urlparse(url).hostname`). Siblings taken from the same tool input
 * (`name` beside `args` in `{ name, arguments: args } = request.params`) are not included: a
 * check of the tool name says nothing about the command.
 */
function relatedNames(ctx: RuleContext, call: Node, value: Node): Set<string> {
  const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
  const root = scopes.root;
  const closure = new Set(namesIn(value));
  let frontier = [...closure];
  for (let round = 0; round < 4 && frontier.length > 0; round++) {
    const next: string[] = [];
    for (const name of frontier) {
      const b = scopes.scopeAt(call).lookup(name, call.startIndex);
      if (!b || (b.kind !== 'value' && b.kind !== 'element')) continue;
      if (scopes.scopeAt(b.value) === root) continue; // module constants (WORKSPACE) are not the input
      for (const n of namesIn(b.value)) {
        const nb = scopes.scopeAt(call).lookup(n, call.startIndex);
        if (closure.has(n) || !nb || nb.kind === 'param' || nb.kind === 'import') continue;
        closure.add(n);
        next.push(n);
      }
    }
    frontier = next;
  }
  return derivedNames(ctx, call, closure);
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, '');
  return flat.length > 30 ? `${flat.slice(0, 27)}…` : flat;
}
