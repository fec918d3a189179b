import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import { comparisonOperator, derivedNames, identifiersIn, isGuarded, mentions, methodCall, operands, unwrap, type Judge, type Verdict } from '../guards';
import { calleeName, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

/** Python functions that open, write, move or delete the files they are given, with their path arguments. */
const PY_SINKS: [RegExp, [string, number][]][] = [
  [/^(builtins|io|os|aiofiles|codecs)\.open$/, [['file', 0], ['path', 0], ['filename', 0]]],
  [/^os\.(remove|unlink|rmdir|removedirs|makedirs|mkdir|truncate|chmod)$/, [['path', 0], ['name', 0]]],
  [/^os\.(rename|renames|replace|symlink|link)$/, [['src', 0], ['dst', 1]]],
  [/^shutil\.(rmtree)$/, [['path', 0]]],
  [/^shutil\.(copy|copy2|copyfile|copytree|move)$/, [['src', 0], ['dst', 1]]],
];

/** `pathlib.Path` methods that read, write or delete the file the path names. */
const PATH_METHODS = /^(open|read_text|read_bytes|write_text|write_bytes|unlink|rmdir|touch|mkdir|rename|replace|symlink_to|hardlink_to)$/;
/** `pathlib.Path` methods and properties that return another path. */
const PATH_RETURNING = /^(resolve|absolute|expanduser|joinpath|with_name|with_stem|with_suffix|parent|relative_to)$/;

/** Node `fs` functions (callback, sync and promise forms), and fs-extra's, by how many leading arguments are paths. */
const JS_FS = /^((node:)?fs(\/promises|\.promises)?|fs-extra)\.(\w+)$/;
const JS_ONE_PATH = /^(readFile|writeFile|appendFile|unlink|rm|rmdir|mkdir|truncate|open|createReadStream|createWriteStream|chmod|readJson|writeJson|outputFile|outputJson|remove|emptyDir|ensureFile)(Sync)?$/;
const JS_TWO_PATHS = /^(rename|copyFile|cp|symlink|link|move|copy)(Sync)?$/;

interface State extends TaintedValue {
  sink: string;
}

/** Whether a Python expression is a `pathlib` path: `Path(x)`, `BASE / name`, `(BASE / name).resolve()`. */
function isPathObject(ctx: RuleContext, node: Node, depth = 0): boolean {
  if (depth > 6) return false;
  const n = unwrap(ctx.python.definition(node));
  if (/^pathlib\.(Pure)?(Posix|Windows)?Path\(\)/.test(ctx.python.resolve(n) ?? '')) return true;
  if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '/') return isPathObject(ctx, n.childForFieldName('left')!, depth + 1);
  const call = methodCall(n);
  if (call && PATH_RETURNING.test(call.method)) return isPathObject(ctx, call.receiver, depth + 1);
  if (n.type === 'attribute' && PATH_RETURNING.test(n.childForFieldName('attribute')?.text ?? '')) return isPathObject(ctx, n.childForFieldName('object')!, depth + 1);
  return false;
}

/** The path arguments of a file-system call, with the call's name for messages. */
function pathArguments(ctx: RuleContext, call: Node): { paths: Node[]; sink: string } | undefined {
  if (isPython(ctx)) {
    const name = calleeName(ctx, call);
    const row = name ? PY_SINKS.find(([re]) => re.test(name)) : undefined;
    if (row && name) {
      const paths = row[1].map(([keyword, position]) => ctx.python.argument(call, keyword, position)).filter((n): n is Node => !!n);
      return { paths: [...new Set(paths)], sink: name.replace(/^builtins\./, '') };
    }
    // `path.write_text(...)`: the receiver is the path.
    const attribute = call.childForFieldName('function')?.childForFieldName('attribute')?.text;
    const method = attribute && PATH_METHODS.test(attribute) ? methodCall(call) : undefined;
    if (method && PATH_METHODS.test(method.method) && isPathObject(ctx, method.receiver)) {
      const target = /^(rename|replace|symlink_to|hardlink_to)$/.test(method.method) ? ctx.python.argument(call, 'target', 0) : undefined;
      return { paths: [method.receiver, ...(target ? [target] : [])], sink: `Path.${method.method}` };
    }
    return undefined;
  }
  const name = calleeName(ctx, call);
  const fn = name ? JS_FS.exec(name)?.[4] : undefined;
  if (!name || !fn) return undefined;
  const count = JS_ONE_PATH.test(fn) ? 1 : JS_TWO_PATHS.test(fn) ? 2 : 0;
  const paths = ctx.javascript.callArguments(call).slice(0, count);
  return paths.length > 0 ? { paths, sink: name } : undefined;
}

/** Calls that make a path absolute and remove `..`: a containment check only means something after one. */
const NORMALIZED = /\b(realpath|realpathSync|abspath|normpath|resolve|normalize)\b/;

/**
 * Containment checks of the path: `target.is_relative_to(BASE)`, `real.startswith(BASE + os.sep)`,
 * `os.path.commonpath([BASE, real]) == BASE`, `file.startsWith(root + path.sep)`,
 * `path.relative(root, file).startsWith('..')` (a rejection). The checked value must have been
 * normalized (`resolve()`, `realpath`, `path.resolve`): `BASE/../etc` starts with `BASE` too.
 */
function containmentJudge(ctx: RuleContext, names: Set<string>): Judge {
  const normalized = (n: Node): boolean => {
    if (NORMALIZED.test(n.text)) return true;
    // A variable assigned a normalized value: `target = (BASE / name).resolve()`.
    return identifiersIn(n).some((id) => names.has(id.text) && NORMALIZED.test((isPython(ctx) ? ctx.python.definition(id) : ctx.javascript.definition(id)).text));
  };
  const subject = (n: Node) => mentions(n, names) && normalized(n);
  return (atom: Node): Verdict => {
    const op = comparisonOperator(atom);
    const sides = op ? operands(atom) : undefined;
    if (op && sides) {
      // `os.path.commonpath([BASE, real]) == BASE`.
      const common = sides.find((s) => /commonpath$/.test(unwrap(s).childForFieldName('function')?.text ?? ''));
      if (!common || !subject(common)) return undefined;
      if (op === '==' || op === '===') return 'allows';
      if (op === '!=' || op === '!==') return 'rejects';
      return undefined;
    }
    const call = methodCall(unwrap(atom));
    if (!call) return undefined;
    if (call.method === 'is_relative_to' && subject(call.receiver)) return 'allows';
    if (/^(startswith|startsWith)$/.test(call.method) && call.args[0]) {
      const prefix = isPython(ctx) ? ctx.python.literal(call.args[0])?.value : ctx.javascript.literal(call.args[0])?.value;
      // `path.relative(root, file).startsWith('..')`: the file is outside the root.
      if (typeof prefix === 'string' && prefix.startsWith('..')) {
        // `path.relative` resolves both paths itself.
        const receiver = unwrap(isPython(ctx) ? ctx.python.definition(call.receiver) : ctx.javascript.definition(call.receiver));
        return subject(receiver) || (/(^|\.)relative$/.test(receiver.childForFieldName('function')?.text ?? '') && mentions(receiver, names)) ? 'rejects' : undefined;
      }
      if (typeof prefix !== 'string' && subject(call.receiver)) return 'allows';
    }
    return undefined;
  };
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-path',
    group: 'output-handling',
    title: 'Model output chooses a file path that is read, written or deleted',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [22, 73],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://cwe.mitre.org/data/definitions/73.html',
      'https://docs.python.org/3/library/pathlib.html#pathlib.PurePath.is_relative_to',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const target = pathArguments(ctx, call);
    if (!target) return undefined;
    const query = { labels: ['llm-output'], sanitizers: ['path'], skipToolArguments: true } as const;
    for (const path of target.paths) {
      const found = taintedAt(ctx, path, query, call);
      if (!found) continue;
      // The path's tainted variables, and what the function computes from them (`full`, `target`).
      const seeds = identifiersIn(path).filter((id) => !!ctx.taint.taintOf(id, query)).map((id) => id.text);
      if (isGuarded(call, containmentJudge(ctx, derivedNames(ctx, call, seeds)))) return undefined;
      return { ...found, sink: target.sink };
    }
    return undefined;
  },
  message(s, ctx) {
    const how = isPython(ctx) ? '`os.path.basename`, or `(BASE / name).resolve()` checked with `.is_relative_to(BASE)`' : '`path.basename`, or `path.resolve(root, name)` checked with `.startsWith(root + path.sep)`';
    return `Model output chooses the file path given to \`${s.sink}\` (${fromSource(s.path)}): a prompt injection can make it \`../../.ssh/authorized_keys\`, \`/etc/passwd\` or your source code, to read, overwrite or delete. Reduce the name to a file name (${how}) before touching the file system.`;
  },
});
