import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import type { RelatedLocation } from '../../engine/types';
import { calleeOf, isPython, roleMessage, slotArguments, taintedAt } from '../llm';
import { AI_CODE } from '../prefilters';

/** Key-shaped literals: what each provider's keys look like, and what to show of one (the prefix only). */
const KEY_SHAPES: { re: RegExp; kind: string; prefix: RegExp }[] = [
  { re: /\bsk-ant-[A-Za-z0-9_-]{20,}/, kind: 'an Anthropic API key', prefix: /^sk-ant-(api\d+-)?/ },
  { re: /\bsk-[A-Za-z0-9_-]{20,}/, kind: 'an OpenAI API key', prefix: /^sk-((proj|svcacct|admin)-)?/ },
  { re: /\bhf_[A-Za-z0-9]{30,}/, kind: 'a Hugging Face token', prefix: /^hf_/ },
  { re: /\bAIza[0-9A-Za-z_-]{35}/, kind: 'a Google API key', prefix: /^AIza/ },
  { re: /\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})/, kind: 'a GitHub token', prefix: /^(gh[pousr]_|github_pat_)/ },
  { re: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, kind: 'an AWS access key ID', prefix: /^(AKIA|ASIA)/ },
];

/** A database URL with a password: `postgres://user:pass@host/db`. */
const DATABASE_URL = /\b(postgres(?:ql)?|mysql|mariadb|mssql|sqlserver|oracle|mongodb(?:\+srv)?|rediss?|amqps?|cockroachdb|clickhouse)(?:\+[\w]+)?:\/\/[^\s:@/{}<>$]+:([^\s@/{}<>$]+)@/i;

/** Documentation placeholders, not credentials: `sk-...`, `sk-xxxx…`, `YOUR_KEY`, AWS's `…EXAMPLE` key. */
const PLACEHOLDER = /x{4,}|\*{3,}|\.{3}|…|0{8,}|your|example|placeholder|dummy|fake|redacted|changeme|replace|insert|<|>/i;

function looksReal(secretPart: string): boolean {
  return !PLACEHOLDER.test(secretPart) && new Set(secretPart).size >= 4;
}

/** A credential in a string's text: what kind, and a masked spelling safe to put in a message. */
function secretInText(text: string): { kind: string; masked: string } | undefined {
  for (const shape of KEY_SHAPES) {
    const token = shape.re.exec(text)?.[0];
    if (!token) continue;
    const prefix = shape.prefix.exec(token)?.[0] ?? '';
    if (looksReal(token.slice(prefix.length))) return { kind: shape.kind, masked: `${prefix}…` };
  }
  const db = DATABASE_URL.exec(text);
  if (db && looksReal(db[2])) return { kind: 'a database URL with a password', masked: `${db[1]}://…` };
  return undefined;
}

const STRINGS = new Set(['string', 'template_string']);
const FUNCTIONS = new Set(['function_definition', 'lambda', 'function_declaration', 'function_expression', 'arrow_function', 'method_definition', 'class_definition', 'class_declaration']);

/**
 * A key-shaped string literal in an expression, or in what its variables were assigned
 * (`KEY = "sk-…"; auth = KEY; f"… {auth}"`). The taint analysis only knows secrets from the
 * environment, so literals are looked for here.
 */
function literalSecret(ctx: RuleContext, node: Node, budget = { left: 300 }, depth = 0): { node: Node; kind: string; masked: string } | undefined {
  if (depth > 10 || --budget.left < 0 || FUNCTIONS.has(node.type)) return undefined;
  if (STRINGS.has(node.type)) {
    const found = secretInText(node.text);
    if (found) return { node, ...found };
  }
  if (node.type === 'identifier' || node.type === 'shorthand_property_identifier') {
    const def = isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
    return def.id !== node.id ? literalSecret(ctx, def, budget, depth + 1) : undefined;
  }
  for (const child of node.namedChildren) {
    const found = child ? literalSecret(ctx, child, budget, depth + 1) : undefined;
    if (found) return found;
  }
  return undefined;
}

interface State extends Detection {
  what: string;
  where: string;
}

/**
 * Whether the file can read the environment at all (the only secret source the dataflow knows):
 * when it cannot, no dataflow query is needed, and large files of prompts stay cheap.
 */
const readsEnvironment = new WeakMap<RuleContext, boolean>();
function mayReadEnvironment(ctx: RuleContext): boolean {
  let found = readsEnvironment.get(ctx);
  if (found === undefined) {
    found = isPython(ctx) ? /\b(environ|getenv)\b/.test(ctx.text) : /\bprocess\b|\bimport\.meta\.env\b/.test(ctx.text);
    readsEnvironment.set(ctx, found);
  }
  return found;
}

/** A secret in `value`: from the environment (with the taint path) or a key-shaped literal. */
function secretAt(ctx: RuleContext, value: Node, where: string): State | undefined {
  // A number or a boolean made from a key (`Boolean(process.env.X_KEY)`) cannot carry its text.
  const tainted = mayReadEnvironment(ctx) ? taintedAt(ctx, value, { labels: ['secret'], sanitizers: ['number'] }) : undefined;
  if (tainted) {
    const steps = tainted.flow ?? [];
    const flow = steps.map((step, i) => (i === steps.length - 1 && step.message === 'reaches the sink here' ? { ...step, message: 'reaches the prompt here' } : step));
    return { node: value, flow, what: tainted.path.source, where };
  }
  const literal = literalSecret(ctx, value);
  if (!literal) return undefined;
  const what = `${literal.kind} (\`${literal.masked}\`)`;
  const source: RelatedLocation = { path: ctx.path, range: { start: literal.node.startIndex, end: literal.node.endIndex }, message: `source: ${what} in a string literal` };
  const here: RelatedLocation = { path: ctx.path, range: { start: value.startIndex, end: value.endIndex }, message: 'reaches the prompt here' };
  return { node: value, flow: literal.node.id === value.id ? [source] : [source, here], what, where };
}

const CONTAINERS = new Set(['list', 'tuple', 'array']);

export default defineRule<State>({
  meta: {
    id: 'secret-in-prompt',
    group: 'prompt-injection',
    title: 'Credential placed in a prompt or system prompt',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    redact: true,
    cwe: [200, 798],
    owasp: ['LLM02', 'LLM07'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/',
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://cwe.mitre.org/data/definitions/200.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call, message } }, ctx) {
    if (message) {
      const msg = roleMessage(ctx, message);
      return msg && secretAt(ctx, msg.content, msg.role === 'system' ? 'a system message' : 'a chat message');
    }
    if (!call) return undefined;
    const callee = (calleeOf(call)?.text ?? '').replace(/\s+/g, '');
    const out: State[] = [];
    for (const { kind, node } of slotArguments(ctx, call)) {
      // Message lists are checked message by message (the @message pattern), so a secret in one
      // message is reported once, where it is.
      if (kind === 'messages') continue;
      const def = isPython(ctx) ? ctx.python.definition(node) : ctx.javascript.definition(node);
      if (CONTAINERS.has(def.type)) continue;
      const where = `${kind === 'system' ? 'the system prompt' : kind === 'template' ? 'the prompt template' : 'the prompt'} of \`${callee.length > 40 ? `…${callee.slice(-38)}` : callee}\``;
      const found = secretAt(ctx, node, where);
      if (found) out.push(found);
    }
    return out;
  },
  message(s) {
    const what = s.what.charAt(0).toUpperCase() + s.what.slice(1);
    return `${what} reaches ${s.where}: the model can repeat anything in its prompt to whoever talks to it (a prompt injection only has to ask), and prompts are kept in provider logs and traces. Keep credentials in the code that calls the service, and give the model a tool that uses them instead.`;
  },
});
