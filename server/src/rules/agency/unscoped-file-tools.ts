import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { calleeName, isPython } from '../llm';
import { addArgument, replaceArgumentValue } from '../python-edits';
import { AI_CODE } from '../prefilters';

const TOOLKIT = /^langchain\w*\.agent_toolkits(\.\w+)*\.FileManagementToolkit$/;
const FILE_TOOL = /^langchain\w*\.tools(\.\w+)*\.(ReadFileTool|WriteFileTool|ListDirectoryTool|CopyFileTool|DeleteFileTool|MoveFileTool|FileSearchTool)$/;
/** LangChain.js: the store behind ReadFileTool/WriteFileTool; its base path is the scope. */
const JS_FILE_STORE = /^langchain\/stores\/file\/node\.NodeFileStore$/;

/** The directory the fix scopes tools to: relative, so it stays inside the project's deployment. */
const WORKSPACE = './workspace';
/** The toolkit's read-only tools: write, delete, move and copy are left for a person to add back deliberately. */
const READ_ONLY_TOOLS = '["read_file", "list_directory", "file_search"]';

interface State extends Detection {
  call: Node;
  /** 'toolkit' | the tool class name | 'NodeFileStore'. */
  what: string;
  toolkit: boolean;
  /** The root argument when present and too broad. */
  root?: Node;
  /** Why the root is too broad: "the filesystem root", "the home directory". */
  broad?: string;
  /** The toolkit has no `selected_tools` (so it also hands out write/delete/move/copy). */
  allTools: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'unscoped-file-tools',
    group: 'agency',
    title: 'Agent file tools are not confined to a working directory',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [22, 732],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://python.langchain.com/docs/integrations/tools/filesystem/',
      'https://cwe.mitre.org/data/definitions/22.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const name = calleeName(ctx, call);
    if (!name) return undefined;
    if (!isPython(ctx)) {
      if (!JS_FILE_STORE.test(name)) return undefined;
      // Without an argument the store uses a fresh temporary directory: scoped.
      const root = ctx.javascript.callArguments(call)[0];
      const broad = root ? broadRoot(ctx, root) : undefined;
      return broad && root ? { node: root, call, what: 'NodeFileStore', toolkit: false, root, broad, allTools: false } : undefined;
    }
    const toolkit = TOOLKIT.test(name);
    if (!toolkit && !FILE_TOOL.test(name)) return undefined;
    const args = ctx.python.callArguments(call);
    const root = args.keywords.get('root_dir');
    const allTools = toolkit && !args.keywords.has('selected_tools');
    const what = toolkit ? 'FileManagementToolkit' : name.slice(name.lastIndexOf('.') + 1);
    if (!root) {
      // `**settings` may carry root_dir: nothing can be said.
      if (args.unresolvedSplat) return undefined;
      return { node: call, call, what, toolkit, allTools };
    }
    const broad = broadRoot(ctx, root);
    return broad ? { node: root, call, what, toolkit, root, broad, allTools } : undefined;
  },
  message(s) {
    const tools = s.toolkit ? `\`${s.what}\`${s.allTools ? ' (all of its tools: read, write, delete, move, copy)' : ''}` : `\`${s.what}\``;
    const scope = s.broad ? `is rooted at ${s.broad} (\`${short(s.root!.text)}\`)` : 'has no `root_dir`, so it accepts any path, absolute or with `..`';
    return `${tools} ${scope}: the agent can read and change any file this process can, including \`.env\`, SSH keys and cloud credentials, whenever a prompt injection asks it to. Give it a dedicated working directory (\`root_dir="${WORKSPACE}"\`) and only the tools it needs.`;
  },
  fixes(s, ctx) {
    if (!isPython(ctx)) {
      return s.root ? [{ title: `Confine the file store to ${WORKSPACE}`, applicability: 'unsafe', edits: [replaceNode(s.root, `'${WORKSPACE}'`)] }] : [];
    }
    const added: string[] = [];
    const edits: TextEdit[] = [];
    if (s.root) {
      const replaced = replaceArgumentValue(s.call, s.root, `"${WORKSPACE}"`);
      if (!replaced) return [];
      edits.push(...replaced);
    } else added.push(`root_dir="${WORKSPACE}"`);
    if (s.allTools) added.push(`selected_tools=${READ_ONLY_TOOLS}`);
    if (added.length > 0) {
      const more = addArguments(s.call, ctx.text, added);
      if (!more) return [];
      edits.push(...more);
    }
    const title = s.allTools ? `Confine to ${WORKSPACE} with read-only tools` : `Confine to ${WORKSPACE}`;
    const fixes: Fix[] = [{ title, applicability: 'unsafe', edits }];
    return fixes;
  },
});

/**
 * Appends several keyword arguments in the call's own layout: one per line when its arguments
 * are one per line, else inline. python-edits' addArgument does the layout for the first; the
 * rest follow it with the same separator.
 */
function addArguments(call: Node, source: string, args: string[]): TextEdit[] | undefined {
  const list = call.childForFieldName('arguments');
  const items = list?.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment') ?? [];
  const last = items[items.length - 1];
  const close = list?.lastChild;
  let separator = ', ';
  if (last && close && close.startPosition.row > last.endPosition.row) {
    const lineStart = source.lastIndexOf('\n', last.startIndex - 1) + 1;
    const indent = source.slice(lineStart, last.startIndex);
    if (/^[ \t]*$/.test(indent)) separator = `,${source.includes('\r\n') ? '\r\n' : '\n'}${indent}`;
  }
  return addArgument(call, source, args.join(separator));
}

const HOME_VARIABLES = /^(HOME|USERPROFILE)$/;

/** Why a root directory expression is too broad, or undefined when it is not (or cannot be told). */
function broadRoot(ctx: RuleContext, node: Node, depth = 0, expanded = false): string | undefined {
  if (depth > 4) return undefined;
  const literal = isPython(ctx) ? ctx.python.literal(node) : ctx.javascript.literal(node);
  if (typeof literal?.value === 'string') return broadPath(literal.value, expanded);
  const def = isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
  if (isPython(ctx)) {
    const name = def.type === 'call' ? calleeName(ctx, def) : ctx.python.resolve(def);
    if (!name) {
      // `os.environ["HOME"]`
      if (def.type === 'subscript' && ctx.python.resolve(def.childForFieldName('value')) === 'os.environ') {
        const key = def.childForFieldName('subscript');
        const v = key ? ctx.python.literal(key)?.value : undefined;
        return typeof v === 'string' && HOME_VARIABLES.test(v) ? 'the home directory' : undefined;
      }
      return undefined;
    }
    if (/^(os\.sep|os\.path\.sep)$/.test(name)) return 'the filesystem root';
    if (/^pathlib\.(Path|PurePath|PosixPath)\.home$/.test(name)) return 'the home directory';
    if (def.type !== 'call') return undefined;
    const first = ctx.python.callArguments(def).positional[0];
    if (/^(os\.getenv|os\.environ\.get)$/.test(name)) {
      const v = first ? ctx.python.literal(first)?.value : undefined;
      return typeof v === 'string' && HOME_VARIABLES.test(v) ? 'the home directory' : undefined;
    }
    // Wrappers that keep the path: str(p), Path(p), os.path.expanduser(p), abspath, realpath.
    if (/^(builtins\.str|pathlib\.(Path|PurePath|PosixPath)|os\.path\.(expanduser|abspath|realpath|normpath))$/.test(name) && first) {
      return broadRoot(ctx, first, depth + 1, expanded || name === 'os.path.expanduser');
    }
    // Path("~").expanduser(), Path("/").resolve()
    const callee = def.childForFieldName('function');
    const method = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : undefined;
    if (callee && method && /^(expanduser|resolve|absolute)$/.test(method)) {
      const receiver = callee.childForFieldName('object');
      return receiver ? broadRoot(ctx, receiver, depth + 1, expanded || method === 'expanduser') : undefined;
    }
    return undefined;
  }
  const name = def.type === 'call_expression' ? calleeName(ctx, def) : ctx.javascript.resolve(def);
  if (!name) return undefined;
  if (/^(node:)?os\.homedir$/.test(name)) return 'the home directory';
  if (/^global\.process\.env\.(HOME|USERPROFILE)$/.test(name)) return 'the home directory';
  return undefined;
}

/**
 * `/`, `C:\`, `/home/<user>`, `/Users/<user>`, `/root`, and `~` once expanded (`expanduser`):
 * the tools do not expand `~` themselves, so a bare `"~"` is a directory of that name.
 */
function broadPath(path: string, expanded: boolean): string | undefined {
  const p = path.trim();
  if (/^[\\/]+$/.test(p) || /^[A-Za-z]:[\\/]*$/.test(p)) return 'the filesystem root';
  if (expanded && /^~[\\/]?$/.test(p)) return 'the home directory';
  if (/^\/(home|Users)\/[^/]+\/?$/.test(p) || /^\/root\/?$/.test(p) || /^[A-Za-z]:[\\/]Users[\\/][^\\/]+[\\/]?$/i.test(p)) return 'a home directory';
  return undefined;
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}…` : flat;
}
