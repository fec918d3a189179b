import { Query, type Language, type Node } from 'web-tree-sitter';
import { stringValue } from '../../engine/facts/javascript';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import { unwrap } from '../guards';
import { roleMessage, slotArguments } from '../llm';
import { AI_CODE, PROMPT_WORDS } from '../prefilters';

interface State extends Detection {
  /** Why the module is thought to run in the browser. */
  reason: string;
  /** What makes the literal a system prompt. */
  what: string;
}

// Where a module runs, from signals in the file itself (a bundler's module graph is not known).

/** Imports that only work on a server: Node built-ins, server frameworks, Next.js server APIs. */
const SERVER_MODULES = [
  'server-only', 'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'path', 'node:path', 'child_process', 'node:child_process',
  'os', 'node:os', 'http', 'node:http', 'https', 'node:https', 'net', 'node:net', 'crypto', 'node:crypto',
  'next/server', 'next/headers', 'express', 'fastify', 'koa',
];
/** Server files by name or folder: route handlers, middleware, `*.server.ts`, SvelteKit `+server.ts`, API and server folders. */
const SERVER_PATH = /(^|[\\/])(route|middleware|server)\.[cm]?[jt]sx?$|[.+]server\.[cm]?[jt]sx?$|\.config\.[cm]?[jt]s$|[\\/](pages[\\/]api|app[\\/]api|server|backend|functions)[\\/]/;
/** A .jsx/.tsx file under `src/` (the last one), and its path below it. */
const REACT_SOURCE = /(?:^|[\\/])src[\\/]((?:(?![\\/]src[\\/]).)*\.(?:jsx|tsx))$/;
/** Next.js App Router and API folders under `src/`: server code unless marked 'use client'. */
const NEXT_SERVER_DIR = /^(app|pages[\\/]api)[\\/]/;
const BROWSER_GLOBALS = new Set(['window', 'document', 'localStorage', 'sessionStorage', 'navigator']);

const signalQueries = new WeakMap<Language, Query>();
function signalQuery(ctx: RuleContext): Query {
  const language = ctx.tree.language;
  let query = signalQueries.get(language);
  if (!query) {
    // JSX exists in the JavaScript and TSX grammars only.
    const jsx = ctx.language === 'typescript' ? '' : '(jsx_attribute (property_identifier) @handler (jsx_expression)) (jsx_opening_element) @jsx (jsx_self_closing_element) @jsx';
    query = new Query(language, `(member_expression object: (identifier) @global) (member_expression object: (meta_property) property: (property_identifier) @meta) (call_expression function: (identifier) @hook) ${jsx}`);
    signalQueries.set(language, query);
  }
  return query;
}

/** The directive prologue: the string statements a module starts with (`'use client'`). */
function directives(ctx: RuleContext): string[] {
  const out: string[] = [];
  for (let stmt = ctx.tree.rootNode.firstNamedChild; stmt; stmt = stmt.nextNamedSibling) {
    if (stmt.type === 'comment') continue;
    const first = stmt.type === 'expression_statement' ? stmt.firstNamedChild : null;
    const value = first?.type === 'string' ? stringValue(first) : undefined;
    if (value === undefined) break;
    out.push(value);
  }
  return out;
}

/** Why this module is bundled for the browser, or undefined when it is (or may be) server code. */
function clientReason(ctx: RuleContext): string | undefined {
  const prologue = directives(ctx);
  if (prologue.includes('use server')) return undefined;
  if (prologue.includes('use client')) return "a `'use client'` module";
  // The text test first: `importsModule` walks the whole tree once.
  if (SERVER_MODULES.some((m) => (ctx.text.includes(`'${m}'`) || ctx.text.includes(`"${m}"`)) && ctx.javascript.importsModule(m))) return undefined;
  let hook: string | undefined;
  let handler: string | undefined;
  let env = false;
  let global: string | undefined;
  let jsx = false;
  const below = REACT_SOURCE.exec(ctx.path)?.[1];
  // The query materializes many nodes: run it only when the text holds a signal it could find.
  const worthQuerying = /\buse[A-Z]\w*\s*\(|\bon[A-Z]\w*=\{|import\.meta\.env|\b(window|document|localStorage|sessionStorage|navigator)\s*\./.test(ctx.text) || below !== undefined;
  for (const { name, node } of worthQuerying ? signalQuery(ctx).captures(ctx.tree.rootNode) : []) {
    if (name === 'hook' && !hook && /^use[A-Z]/.test(node.text) && /react/.test(ctx.javascript.resolve(node) ?? '')) hook = node.text;
    else if (name === 'handler' && !handler && /^on[A-Z]/.test(node.text)) handler = node.text;
    else if (name === 'meta' && node.text === 'env' && node.parent?.childForFieldName('object')?.text === 'import.meta') env = true;
    else if (name === 'jsx') jsx = true;
    else if (name === 'global' && !global && BROWSER_GLOBALS.has(node.text) && ctx.javascript.resolve(node) === `global.${node.text}`) global = node.text;
  }
  // React state hooks and DOM event handlers only run in client components, wherever the file is.
  if (hook) return `a React client component (it calls \`${hook}\`)`;
  if (handler) return `a React client component (it sets \`${handler}\`)`;
  if (SERVER_PATH.test(ctx.path)) return undefined;
  if (env) return 'a Vite client module (it reads `import.meta.env`)';
  if (global) return `a browser module (it uses \`${global}\`)`;
  // A React component under src/ (Vite, Create React App), unless under a Next.js App Router
  // folder, where components are server components unless marked 'use client'.
  if (jsx && below !== undefined && !NEXT_SERVER_DIR.test(below)) return 'a React component under `src/`';
  return undefined;
}

const reasons = new WeakMap<RuleContext, string | null>();
function cachedClientReason(ctx: RuleContext): string | undefined {
  if (!reasons.has(ctx)) reasons.set(ctx, clientReason(ctx) ?? null);
  return reasons.get(ctx) ?? undefined;
}

// What counts as a system prompt.

/** Names that say "system prompt" outright. */
const SYSTEM_NAME = /(system|sys|developer)(prompt|message|instruction)/;
/** Names that may hold a prompt or may hold UI copy: the text must address a model too. */
const PROMPT_NAME = /(instructions?|persona|preamble|prompt)$/;
const ADDRESSES_MODEL = /\b(you are|you're|act as|your (role|task|job|goal)|as an? (ai|assistant|expert)|assistant|do not reveal|never reveal)\b/i;
const MIN_PROMPT_LENGTH = 40;

/** The literal text an expression evaluates to, and the literal to underline (through variables, `+`, `.trim()`, tagged templates, same-file helpers). */
function literalText(ctx: RuleContext, node: Node, depth = 0): { node: Node; text: string } | undefined {
  if (depth > 8) return undefined;
  const n = unwrap(ctx.javascript.definition(unwrap(node)));
  if (n.type === 'string') return { node: n, text: stringValue(n) ?? '' };
  if (n.type === 'template_string') return { node: n, text: n.text.slice(1, -1) };
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
    const parts = [n.childForFieldName('left'), n.childForFieldName('right')].map((p) => (p ? literalText(ctx, p, depth + 1) : undefined));
    if (parts.some((p) => !p)) return undefined;
    return { node: n, text: parts.map((p) => p!.text).join('') };
  }
  if (n.type !== 'call_expression') return undefined;
  const callee = n.childForFieldName('function');
  const args = n.childForFieldName('arguments');
  // dedent`…`, outdent`…`.
  if (args?.type === 'template_string') return literalText(ctx, args, depth + 1);
  // `…`.trim()
  if (callee?.type === 'member_expression' && /^(trim|trimStart|trimEnd)$/.test(callee.childForFieldName('property')?.text ?? '')) return literalText(ctx, callee.childForFieldName('object')!, depth + 1);
  // buildSystemPrompt(): a same-file function returning one literal.
  if (callee?.type === 'identifier' && args?.namedChildCount === 0) {
    const fn = functionOf(ctx, callee);
    const body = fn?.childForFieldName('body');
    if (!body) return undefined;
    if (body.type !== 'statement_block') return literalText(ctx, body, depth + 1);
    const returns = body.namedChildren.filter((c): c is Node => c?.type === 'return_statement');
    const value = returns.length === 1 ? returns[0].namedChildren[0] : undefined;
    return value ? literalText(ctx, value, depth + 1) : undefined;
  }
  return undefined;
}

function functionOf(ctx: RuleContext, callee: Node): Node | undefined {
  const binding = ctx.javascript.scopes.scopeAt(callee).lookup(callee.text, callee.startIndex);
  const fn = binding?.kind === 'opaque' ? binding.node : binding?.kind === 'value' ? binding.value : undefined;
  return fn && /^(function_declaration|function_expression|arrow_function)$/.test(fn.type) ? fn : undefined;
}

function looksLikePrompt(name: string, text: string): boolean {
  const flat = name.replace(/[_$-]/g, '').toLowerCase();
  if (text.trim().length < MIN_PROMPT_LENGTH) return false;
  if (SYSTEM_NAME.test(flat)) return true;
  return PROMPT_NAME.test(flat) && ADDRESSES_MODEL.test(text);
}

function detection(ctx: RuleContext, value: Node, what: string, named?: string): State | undefined {
  const literal = literalText(ctx, value);
  if (!literal || literal.text.trim() === '') return undefined;
  if (named !== undefined && !looksLikePrompt(named, literal.text)) return undefined;
  const reason = cachedClientReason(ctx);
  return reason ? { node: literal.node, reason, what } : undefined;
}

export default defineRule<State>({
  meta: {
    id: 'system-prompt-in-client-bundle',
    group: 'prompt-injection',
    title: 'System prompt shipped to the browser in client code',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [200, 540],
    owasp: ['LLM07'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/',
      'https://cwe.mitre.org/data/definitions/540.html',
      'https://nextjs.org/docs/app/api-reference/directives/use-client',
      'https://vite.dev/guide/env-and-mode',
    ],
  },
  languages: ['javascript', 'typescript', 'tsx'],
  requires: [AI_CODE, PROMPT_WORDS],
  check({ captures: { call, message, name, value } }, ctx) {
    // Most modules show no sign of running in the browser: decide that once, before the literals.
    if (!cachedClientReason(ctx)) return undefined;
    if (call) {
      const out: State[] = [];
      for (const slot of slotArguments(ctx, call)) {
        const found = slot.kind === 'system' ? detection(ctx, slot.node, 'the system prompt of this call') : undefined;
        if (found) out.push(found);
      }
      return out;
    }
    if (message) {
      const msg = roleMessage(ctx, message);
      if (msg?.role !== 'system') return undefined;
      // `['system', 'Follow the system setting']` is as likely a theme option as a LangChain
      // message: the pair form must read like a prompt.
      return detection(ctx, msg.content, 'a system message', message.type === 'array' ? 'prompt' : undefined);
    }
    if (name && value) {
      const key = stringValue(name) ?? name.text;
      return detection(ctx, value, `\`${key}\``, key);
    }
    return undefined;
  },
  message(s) {
    return `System prompt in ${s.reason}: ${s.what} is bundled into the JavaScript every visitor downloads, where anyone can read it (and the rules, tool names and internal details it holds) without having to trick the model. Keep the prompt on the server — a route handler, server action or API — and send only the user's messages from the browser.`;
  },
});
