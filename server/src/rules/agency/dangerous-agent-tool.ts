import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection } from '../../engine/rule';
import type { Severity } from '../../engine/types';
import { calleeName, isPython } from '../llm';
import { AI_CODE } from '../prefilters';

interface Entry {
  callee: RegExp;
  /** What the tool lets the model do, for the message. */
  power: string;
  severity?: Severity;
}

const LC = String.raw`langchain(_\w+)?`;

/** LangChain / LlamaIndex (Python) tools, chains and agents that run model-written code or commands. */
const PY_ENTRIES: Entry[] = [
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*ShellTool$`), power: 'run any shell command' },
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*BashProcess$`), power: 'run any bash command' },
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*(PythonREPLTool|PythonAstREPLTool|PythonREPL)$`), power: 'run any Python code in this process' },
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*create_python_agent$`), power: 'run any Python code in this process' },
  // The dataframe agents hand the model a PythonAstREPLTool over the frame.
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*(create_pandas_dataframe_agent|create_csv_agent|create_spark_dataframe_agent|create_xorbits_agent)$`), power: 'run any Python code in this process (through its Python REPL tool)' },
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*LLMBashChain(\.from_llm)?$`), power: 'run the bash commands it writes' },
  { callee: new RegExp(String.raw`^${LC}\.(\w+\.)*PALChain(\.from_\w+)?$`), power: 'run the Python program it writes' },
  { callee: /^llama_index\.(\w+\.)*CodeInterpreterToolSpec$/, power: 'run any Python code in this process' },
  // Evaluates model-written pandas code; its restricted eval has been bypassed (CVE-2024-3098, CVE-2023-39662).
  { callee: /^llama_index\.(\w+\.)*PandasQueryEngine$/, power: 'evaluate model-written pandas code in this process' },
];

/** LangChain.js equivalents. */
const JS_ENTRIES: Entry[] = [
  // Pyodide (WebAssembly) is a sandbox of sorts; still arbitrary code with the packages it can load.
  { callee: /^(@langchain\/community\/experimental\/tools\/pyinterpreter|langchain\/experimental\/tools\/pyinterpreter)\.PythonInterpreterTool(\.initialize)?$/, power: 'run any Python code (in Pyodide)', severity: 'warning' },
  { callee: /^(langchain\/tools|@langchain\/community\/tools\/requests|langchain\/tools\/requests)\.(RequestsGetTool|RequestsPostTool)$/, power: 'send HTTP requests to any URL, internal services included' },
  { callee: /^(langchain\/agents|langchain\/agents\/toolkits)\.(OpenApiToolkit|createOpenApiAgent)$/, power: 'send HTTP requests to any URL, internal services included' },
];

/** `load_tools([...])` names that load a shell, a Python REPL or unrestricted HTTP tools. */
const DANGEROUS_TOOL_NAMES: Record<string, string> = {
  terminal: 'run any shell command',
  python_repl: 'run any Python code in this process',
  requests: 'send HTTP requests to any URL',
  requests_all: 'send HTTP requests to any URL',
  requests_get: 'send HTTP requests to any URL',
  requests_post: 'send HTTP requests to any URL',
  requests_put: 'send HTTP requests to any URL',
  requests_patch: 'send HTTP requests to any URL',
  requests_delete: 'send HTTP requests to any URL',
};
const LOAD_TOOLS = new RegExp(String.raw`^${LC}\.(\w+\.)*load_tools$`);

interface State extends Detection {
  name: string;
  power: string;
  /** For load_tools: the dangerous tool names requested. */
  toolNames?: string[];
}

export default defineRule<State>({
  meta: {
    id: 'dangerous-agent-tool',
    group: 'agency',
    title: 'Agent is given a tool that runs arbitrary code or commands',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [78, 94],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://python.langchain.com/docs/security/',
      'https://cwe.mitre.org/data/definitions/78.html',
      'https://cwe.mitre.org/data/definitions/94.html',
      'https://nvd.nist.gov/vuln/detail/CVE-2024-3098',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const name = calleeName(ctx, call);
    if (!name) return undefined;
    if (isPython(ctx) && LOAD_TOOLS.test(name)) {
      const list = ctx.python.argument(call, 'tool_names', 0);
      const names = list ? listedNames(ctx.python.definition(list), (n) => ctx.python.literal(n)?.value) : [];
      const dangerous = names.filter((n) => n in DANGEROUS_TOOL_NAMES);
      if (dangerous.length === 0) return undefined;
      return { node: call, name: 'load_tools', power: DANGEROUS_TOOL_NAMES[dangerous[0]], toolNames: dangerous };
    }
    const entry = (isPython(ctx) ? PY_ENTRIES : JS_ENTRIES).find((e) => e.callee.test(name));
    if (!entry) return undefined;
    return { node: call, name: shortName(name), power: entry.power, severity: entry.severity };
  },
  message(s) {
    const what = s.toolNames ? `\`load_tools\` loads ${s.toolNames.map((n) => `"${n}"`).join(', ')}, which let${s.toolNames.length === 1 ? 's' : ''} the model` : `\`${s.name}\` lets the model`;
    return `${what} ${s.power}. A prompt injection in anything the agent reads (a web page, a document, a tool result) then runs with this process's permissions and credentials. Give the agent narrow tools that do one checked thing, or run code in a disposable sandbox (a container or a hosted code interpreter) with no secrets and no network.`;
  },
});

/** String elements of a list/tuple/array literal. */
function listedNames(node: Node, literal: (n: Node) => unknown): string[] {
  if (!['list', 'tuple', 'array', 'set'].includes(node.type)) return [];
  const out: string[] = [];
  for (const c of node.namedChildren) {
    const v = c ? literal(c) : undefined;
    if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** `langchain_experimental.tools.PythonREPLTool` → `PythonREPLTool`; keeps `X.from_llm`. */
function shortName(qualified: string): string {
  const parts = qualified.split('.');
  const last = parts[parts.length - 1];
  return /^(from_\w+|initialize)$/.test(last) && parts.length > 1 ? `${parts[parts.length - 2]}.${last}` : last;
}
