import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintQuery } from '../../engine/taint/types';
import { calleeName, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

/**
 * How a call runs a process:
 * - shell: a command line a shell parses (quoting the model's part with `shlex.quote` cleans it);
 * - argv: a program and its arguments, no shell (quoting does not help: the model picks the
 *   program, or options such as `--upload-pack=…`);
 * - popen: `subprocess.*` — a shell command with `shell=True`, argv otherwise;
 * - template: zx / execa tagged templates, which quote each interpolated value as one argument.
 */
type Form = 'shell' | 'argv' | 'popen' | 'template';

const PY_SINKS: { callee: RegExp; form: Form; keyword: string }[] = [
  { callee: /^os\.(system|popen)$/, form: 'shell', keyword: 'command' },
  { callee: /^subprocess\.(getoutput|getstatusoutput)$/, form: 'shell', keyword: 'cmd' },
  { callee: /^subprocess\.(run|call|check_call|check_output|Popen)$/, form: 'popen', keyword: 'args' },
  { callee: /^asyncio\.create_subprocess_shell$/, form: 'shell', keyword: 'cmd' },
  { callee: /^asyncio\.create_subprocess_exec$/, form: 'argv', keyword: 'program' },
  // pexpect splits its command line itself (no shell), so quoting works as for a shell.
  { callee: /^pexpect\.(spawn|run|spawnu|runu)$/, form: 'shell', keyword: 'command' },
];

const CHILD_PROCESS = String.raw`(node:)?child_process`;
const JS_SINKS: { callee: RegExp; form: Form }[] = [
  { callee: new RegExp(String.raw`^${CHILD_PROCESS}\.(exec|execSync)$`), form: 'shell' },
  { callee: new RegExp(String.raw`^${CHILD_PROCESS}\.(execFile|execFileSync|spawn|spawnSync)$`), form: 'argv' },
  { callee: /^shelljs(\.default)?\.exec$/, form: 'shell' },
  { callee: /^execa\.(execaCommand|execaCommandSync)$/, form: 'shell' },
  { callee: /^execa\.(execa|execaSync|execaNode)$/, form: 'argv' },
  { callee: /^(zx|zx\/core|execa)\.\$(\.sync)?(\(\))?$/, form: 'template' },
];

/** Shells and interpreters, and the flags after which they run an argument as code (`bash -lc`, `python -c`, `node -e`). */
const SHELLS = /^(.*[\\/])?(sh|bash|zsh|dash|ksh|fish|cmd(\.exe)?|powershell(\.exe)?|pwsh|python[\d.]*|node|perl|ruby|php)$/;
const CODE_FLAG = /^(-\w*[ce]|\/c|-Command)$/;

const SHELL_QUERY: TaintQuery = { labels: ['llm-output'], sanitizers: ['shell', 'number'], skipToolArguments: true };
const ARGV_QUERY: TaintQuery = { labels: ['llm-output'], sanitizers: ['number'], skipToolArguments: true };

/** What the model controls: a shell command line, the program to run, or some of its arguments. */
type Control = 'command' | 'program' | 'argument';

interface State extends TaintedValue {
  sink: string;
  control: Control;
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-shell',
    group: 'output-handling',
    title: 'Model output is run as a shell command',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [78],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://docs.python.org/3/library/subprocess.html#security-considerations',
      'https://nodejs.org/api/child_process.html#child_processexeccommand-options-callback',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    if (!call) return undefined;
    return isPython(ctx) ? pythonCheck(ctx, call) : javascriptCheck(ctx, call);
  },
  message(s) {
    const what = {
      command: 'as a command line or code to run',
      program: 'as the program to run',
      argument: 'as an argument of the command (option injection: `--output=…`, `--upload-pack=…`, `-exec`)',
    }[s.control];
    return `Model output reaches \`${s.sink}\` ${what} (${fromSource(s.path)}): a prompt injection in anything the model read can run commands with this process's rights. Let the model choose from commands you define (tool calls with a schema), pass arguments as a list without a shell, and run agents' commands in a sandbox.`;
  },
});

function found(ctx: RuleContext, value: Node, call: Node, sink: string, control: Control): State | undefined {
  const hit = taintedAt(ctx, value, control === 'command' ? SHELL_QUERY : ARGV_QUERY, call);
  // Argument injection needs an option the program honours: likely, but less sure than a command.
  return hit && { ...hit, sink, control, confidence: control === 'argument' ? 'medium' : undefined };
}

function pythonCheck(ctx: RuleContext, call: Node): State | undefined {
  const name = calleeName(ctx, call);
  const row = name ? PY_SINKS.find((r) => r.callee.test(name)) : undefined;
  if (!name || !row) return undefined;
  const sink = name;
  if (row.form === 'shell') {
    const command = ctx.python.argument(call, row.keyword, 0);
    return command && found(ctx, command, call, sink, 'command');
  }
  if (row.form === 'argv') {
    // create_subprocess_exec(program, *args): every positional argument, splats included.
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment' && a.type !== 'keyword_argument');
    return argvCheck(ctx, call, sink, args);
  }
  const args = ctx.python.argument(call, row.keyword, 0);
  if (!args) return undefined;
  // `shell=True`, or a value that cannot be told (a variable): assume a shell.
  const shell = ctx.python.argument(call, 'shell');
  const shellValue = shell ? ctx.python.literal(shell)?.value : false;
  const shellOn = shellValue !== false && shellValue !== null && shellValue !== 0;
  const list = ctx.python.definition(args);
  const isList = list.type === 'list' || list.type === 'tuple';
  if (shellOn && !isList) return found(ctx, args, call, sink, 'command');
  if (isList) return argvCheck(ctx, call, sink, items(list), shellOn);
  // Without a shell a string is the program itself; anything else (`shlex.split(x)`) is argv.
  return found(ctx, args, call, sink, 'program');
}

function javascriptCheck(ctx: RuleContext, call: Node): State | undefined {
  const name = jsCalleeName(ctx, call);
  const row = name ? JS_SINKS.find((r) => r.callee.test(name)) : undefined;
  if (!name || !row) return undefined;
  const sink = name.replace(/^node:/, '');
  const args = ctx.javascript.callArguments(call);
  if (row.form === 'template') {
    const template = call.childForFieldName('arguments');
    return template?.type === 'template_string' ? templateCheck(ctx, call, sink, template) : undefined;
  }
  if (row.form === 'shell') return args[0] && found(ctx, args[0], call, sink, 'command');
  // execFile/spawn(file, [args], { shell: true }) joins program and arguments into a command line.
  const options = args.slice(1).find((a) => ctx.javascript.definition(a).type === 'object');
  const shell = ctx.javascript.property(options, 'shell');
  const shellOn = !!shell && ctx.javascript.literal(shell)?.value !== false;
  const second = args[1] ? ctx.javascript.definition(args[1]) : undefined;
  const rest = second?.type === 'array' ? items(second) : second && second.type !== 'object' ? [args[1]] : [];
  return argvCheck(ctx, call, sink, [args[0], ...rest].filter((a): a is Node => !!a), shellOn);
}

/**
 * The callee's qualified name; `promisify(exec)` and aliases of it resolve to what they wrap
 * (`const run = util.promisify(child_process.exec)`), the usual way to await a command.
 */
function jsCalleeName(ctx: RuleContext, call: Node): string | undefined {
  const name = calleeName(ctx, call);
  if (!name || !/^(node:)?util\.promisify\(\)$/.test(name)) return name;
  const callee = call.childForFieldName('function');
  const wrapper = callee ? ctx.javascript.definition(callee) : undefined;
  const wrapped = wrapper?.type === 'call_expression' ? ctx.javascript.callArguments(wrapper)[0] : undefined;
  return wrapped ? ctx.javascript.resolve(wrapped) : undefined;
}

/** `[program, ...arguments]`: the program, else a `-c` command of a shell, else any argument. */
function argvCheck(ctx: RuleContext, call: Node, sink: string, argv: Node[], shell = false): State | undefined {
  const [program, ...rest] = argv;
  if (!program) return undefined;
  // With a shell, the program and arguments are joined into one command line.
  if (shell) {
    for (const part of argv) {
      const hit = found(ctx, part, call, sink, 'command');
      if (hit) return hit;
    }
    return undefined;
  }
  const programHit = found(ctx, program, call, sink, 'program');
  if (programHit) return programHit;
  const text = (node: Node) => {
    const literal = isPython(ctx) ? ctx.python.literal(node) : ctx.javascript.literal(node);
    return typeof literal?.value === 'string' ? literal.value : undefined;
  };
  const shellProgram = SHELLS.test(text(program) ?? '');
  let code = false;
  for (const part of rest) {
    const hit = found(ctx, part, call, sink, code ? 'command' : 'argument');
    if (hit) return hit;
    code ||= shellProgram && CODE_FLAG.test(text(part) ?? '');
  }
  return undefined;
}

/** `` $`git log ${x}` ``: each value is quoted, so the first word picks the program, others are arguments. */
function templateCheck(ctx: RuleContext, call: Node, sink: string, template: Node): State | undefined {
  let before = '';
  for (const child of template.children) {
    if (!child) continue;
    if (child.type === 'template_substitution') {
      const value = child.namedChildren[0];
      const hit = value && found(ctx, value, call, sink, before.trim() === '' ? 'program' : 'argument');
      if (hit) return hit;
      before += 'x';
    } else if (child.type !== '`') before += child.text;
  }
  return undefined;
}

function items(list: Node): Node[] {
  return list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}
