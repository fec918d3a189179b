import type { Node } from 'web-tree-sitter';
import { defineRule } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { calleeName, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { ensureImport } from '../python-edits';
import { AI_CODE } from '../prefilters';

/** Python callables that evaluate or import code, with the keyword of the code argument. */
const PY_SINKS: [RegExp, string][] = [
  [/^builtins\.(eval|exec)$/, 'source'],
  [/^builtins\.compile$/, 'source'],
  [/^builtins\.__import__$/, 'name'],
  [/^importlib\.import_module$/, 'name'],
  [/^runpy\.run_(path|module)$/, 'path_name'],
  [/^pandas\.eval$/, 'expr'],
  // DataFrame.query / DataFrame.eval parse their argument as a pandas expression (with @-locals).
  [/^pandas\..*\(\)(\..*)?\.(query|eval)$/, 'expr'],
  [/^(sympy\.sympify|sympy\.parsing\.sympy_parser\.parse_expr|numexpr\.evaluate)$/, 'a'],
];

/** JS callables that evaluate code: eval, Function, vm, string timers. */
const JS_SINKS = /^(global\.(eval|Function|setTimeout|setInterval|execScript)|(node:)?vm\.(runInNewContext|runInThisContext|runInContext|compileFunction|Script)(\(\))?)$/;

interface State extends TaintedValue {
  sink: string;
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-code-exec',
    group: 'output-handling',
    title: 'Model output is evaluated as code',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [94, 95],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/95.html',
      'https://docs.python.org/3/library/ast.html#ast.literal_eval',
      'https://nvd.nist.gov/vuln/detail/CVE-2023-29374',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const sink = calleeName(ctx, call);
    if (!sink) return undefined;
    let code: Node | undefined;
    if (isPython(ctx)) {
      const row = PY_SINKS.find(([re]) => re.test(sink));
      if (!row) return undefined;
      code = ctx.python.argument(call, row[1], 0);
    } else {
      if (!JS_SINKS.test(sink)) return undefined;
      const args = ctx.javascript.callArguments(call);
      // `new Function(a, b, body)`: the last argument is the body. Timers given a function carry
      // no taint (functions are clean), so only string timers are found.
      code = /Function$/.test(sink) ? args[args.length - 1] : args[0];
    }
    if (!code) return undefined;
    const found = taintedAt(ctx, code, { labels: ['llm-output'], sanitizers: ['number'], skipToolArguments: true }, call);
    return found && { ...found, sink: sink.replace(/^(global|builtins)\./, '') };
  },
  message(s) {
    return `Model output reaches \`${s.sink}\` (it comes ${fromSource(s.path)}): whoever can steer the model — a prompt injection in a retrieved page, an email, a tool result — runs code here. Parse the output as data (JSON, \`ast.literal_eval\`) and act on an allow-list of operations.`;
  },
  fixes(s, ctx): Fix[] {
    const callee = s.node.childForFieldName('function');
    if (!callee || callee.type !== 'identifier' || s.value.parent?.parent?.id !== s.node.id) return [];
    if (isPython(ctx) && callee.text === 'eval') {
      const edits = [{ start: callee.startIndex, end: callee.endIndex, newText: 'ast.literal_eval' }, ...ensureImport(ctx, 'ast')];
      return [{ title: 'Use ast.literal_eval (accepts Python literals only)', applicability: 'unsafe', edits }];
    }
    if (!isPython(ctx) && callee.text === 'eval') {
      return [{ title: 'Use JSON.parse (accepts JSON data only)', applicability: 'unsafe', edits: [{ start: callee.startIndex, end: callee.endIndex, newText: 'JSON.parse' }] }];
    }
    return [];
  },
});
