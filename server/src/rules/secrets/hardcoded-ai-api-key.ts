import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext, type TextDetection } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { aiClientAt, callOptions, clientKeyEnv, definitionOf, jsConstantString, jsEnvRead, literalString, pythonEnvRead, removeStatement } from '../client-options';
import { isPython } from '../llm';
import { ensureImport } from '../python-edits';
import { findKeysInText, isAiKeyEnvName, looksLikeSecretValue, maskValue, type KeyMatch } from '../secret-formats';
import { AI_CODE } from '../prefilters';

type Place = 'string' | 'comment' | 'client' | 'environment' | 'text';

interface Found {
  /** "an OpenAI API key", "a literal API key". */
  what: string;
  masked: string;
  place: Place;
  /** The client the key is passed to (keys without a known format). */
  client?: string;
  /** The literal expression whose value is exactly the key: what a fix replaces. */
  literal?: Node;
  /** The environment variable the SDK reads instead. */
  envVar?: string;
}

type State = (Detection & Found) | (TextDetection & Found);

/** Files that use Gemini or another Google AI SDK: only there is an `AIza…` key taken as an AI key. */
const GOOGLE_AI_CONTEXT = /google\.generativeai|google\.genai|from google import genai|vertexai|@google\/generative-ai|@google\/genai|@ai-sdk\/google|langchain_google|@langchain\/google|gemini|GOOGLE_API_KEY|GOOGLE_GENERATIVE_AI/i;

/** Option names of a Firebase web config, whose `apiKey` is public by design. */
const FIREBASE_KEYS = new Set(['authDomain', 'messagingSenderId', 'storageBucket', 'appId']);

export default defineRule<State>({
  meta: {
    id: 'hardcoded-ai-api-key',
    group: 'secrets',
    title: 'AI provider API key hardcoded in source',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    redact: true,
    cwe: [798],
    owasp: ['LLM02'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/',
      'https://cwe.mitre.org/data/definitions/798.html',
      'https://help.openai.com/en/articles/5112595-best-practices-for-api-key-safety',
      'https://docs.anthropic.com/en/api/overview#authentication',
      'https://huggingface.co/docs/hub/security-tokens',
    ],
  },
  // Code is searched through its syntax (strings, comments, client arguments); every other text
  // file the scan reads (.env, JSON/YAML/TOML, notebooks, Markdown) as raw text.
  languages: ['python', 'javascript', 'typescript', 'tsx', 'json', 'yaml', 'toml', 'markdown', 'text'],
  requires: [AI_CODE, /sk-|hf_|AIza|gsk_|r8_|lsv2_|pcsk_|xai-|pplx-/],
  checkFile(ctx) {
    // Code is searched through its syntax; MCP configs by mcp-plaintext-secret, with the client's own reference fix.
    if (ctx.kinds.has('code') || ctx.kinds.has('mcp')) return undefined;
    const google = GOOGLE_AI_CONTEXT.test(ctx.text);
    return findKeysInText(ctx.text)
      .filter((key) => key.provider !== 'google' || google)
      .map((key) => ({ range: { start: key.start, end: key.end }, what: key.description, masked: key.masked, place: 'text' as Place, envVar: key.envVar }));
  },
  check({ captures }, ctx) {
    if (captures.comment) return keysInNode(ctx, captures.comment, 'comment');
    if (captures.string) return keysInNode(ctx, captures.string, 'string');
    if (captures.concat) return keysInConcatenation(ctx, captures.concat);
    if (captures.call) return literalClientKey(ctx, captures.call);
    if (captures.assignment && captures.target && captures.value) return literalEnvironmentKey(ctx, captures.target, captures.value);
    return undefined;
  },
  message(s) {
    const exposure = 'anyone who can read this code — a clone, the git history, a published package or notebook — can use it and bill the account';
    const env = s.envVar ? `\`${s.envVar}\`` : 'an environment variable';
    switch (s.place) {
      case 'comment':
        return `${capitalize(s.what)} (${s.masked}) sits in a comment: ${exposure}. Delete it and revoke the key.`;
      case 'text':
        return `${capitalize(s.what)} (${s.masked}) is written into this file: ${exposure}. Revoke it, remove it from the file (and its history), and provide it through ${env} at run time.`;
      case 'client':
        return `A literal API key (${s.masked}) is passed to \`${s.client}\`: ${exposure}. Revoke it and let the SDK read it from ${env} (or a secret manager).`;
      case 'environment':
        return `A literal API key (${s.masked}) is written into ${env} by the code itself: ${exposure}. Revoke it and set the variable in the deployment's environment instead.`;
      default:
        return `${capitalize(s.what)} is hardcoded (${s.masked}): ${exposure}. Revoke it and load the key from ${env} or a secret manager.`;
    }
  },
  fixes(s, ctx): Fix[] {
    if (!s.literal) return [];
    return replacementFixes(ctx, s.literal, s.envVar);
  },
});

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Provider keys anywhere in a string literal's or comment's source text, each underlined on its own. */
function keysInNode(ctx: RuleContext, node: Node, place: Place): State[] {
  const out: State[] = [];
  for (const key of findKeysInText(node.text)) {
    const start = node.startIndex + key.start;
    const end = node.startIndex + key.end;
    if (key.provider === 'google' && !isGoogleAiKey(ctx, node)) continue;
    const literal = place === 'string' ? wholeLiteral(ctx, node, ctx.text.slice(start, end)) : undefined;
    out.push(keyState(ctx, node, { start, end }, key, place, literal));
  }
  return out;
}

/** Keys split over parts of an implicit concatenation (`"sk-proj-…" "…"`) or a JS `'…' + '…'` chain. */
function keysInConcatenation(ctx: RuleContext, node: Node): State[] {
  if (!isPython(ctx)) {
    // Only the outermost `+` of a chain of literals, once.
    if (node.childForFieldName('operator')?.text !== '+') return [];
    const literalSide = (n: Node | null) => !!n && (n.type === 'string' || n.type === 'template_string' || n.type === 'binary_expression' || n.type === 'parenthesized_expression');
    if (!literalSide(node.childForFieldName('left')) || !literalSide(node.childForFieldName('right'))) return [];
    const parent = node.parent;
    if (parent?.type === 'binary_expression' && jsConstantString(parent) !== undefined) return [];
  }
  const value = literalString(ctx, node);
  if (value === undefined) return [];
  const parts = node.descendantsOfType(['string', 'template_string']).filter((p): p is Node => !!p);
  const out: State[] = [];
  for (const key of findKeysInText(value)) {
    const text = value.slice(key.start, key.end);
    // A key inside one literal is reported by that literal, precisely.
    if (parts.some((p) => p.text.includes(text))) continue;
    if (key.provider === 'google' && !isGoogleAiKey(ctx, node)) continue;
    out.push(keyState(ctx, node, { start: node.startIndex, end: node.endIndex }, key, 'string', text === value ? node : undefined));
  }
  return out;
}

function keyState(ctx: RuleContext, node: Node, range: { start: number; end: number }, key: KeyMatch, place: Place, literal: Node | undefined): State {
  return {
    node,
    range,
    what: key.description,
    masked: key.masked,
    place,
    literal,
    envVar: (literal && clientEnvFor(ctx, literal, key)) ?? key.envVar,
    confidence: key.confidence,
  };
}

/**
 * The literal to replace when the string's value is exactly the key: the string itself, or the
 * implicit concatenation / `+` chain it is the only non-empty part of. Undefined for keys inside
 * longer text (`"Bearer sk-…"`), f-strings, bytes and template literals with substitutions.
 */
function wholeLiteral(ctx: RuleContext, node: Node, key: string): Node | undefined {
  if (isPython(ctx) && node.parent?.type === 'concatenated_string') return undefined;
  if (!isPython(ctx) && node.parent?.type === 'binary_expression' && jsConstantString(node.parent) !== undefined) return undefined;
  return literalString(ctx, node) === key ? node : undefined;
}

/** A Google `AIza…` key counts only in files using a Google AI SDK, and never as a Firebase web config's `apiKey`. */
function isGoogleAiKey(ctx: RuleContext, node: Node): boolean {
  if (!GOOGLE_AI_CONTEXT.test(ctx.text)) return false;
  const pair = node.parent;
  const object = pair?.type === 'pair' ? pair.parent : undefined;
  if (!object) return true;
  for (const member of object.namedChildren) {
    const key = member?.type === 'pair' ? member.childForFieldName('key') : undefined;
    const name = key?.text.replace(/^['"]|['"]$/g, '');
    if (name && FIREBASE_KEYS.has(name)) return false;
  }
  return true;
}

/** Provider names as they appear in SDK environment variables. */
const PROVIDER_ENV: Record<KeyMatch['provider'], RegExp> = {
  openai: /OPENAI/,
  anthropic: /ANTHROPIC/,
  huggingface: /^HF_|HUGGING/,
  google: /GOOGLE|GEMINI/,
  groq: /GROQ/,
  openrouter: /OPENROUTER/,
  replicate: /REPLICATE/,
  langsmith: /LANGSMITH|LANGCHAIN/,
  pinecone: /PINECONE/,
  xai: /XAI/,
  perplexity: /PERPLEXITY|PPLX/,
};

/**
 * The variable the SDK of the client a key literal is passed to reads, when that client is the
 * key's own provider's (a Gemini key to `new GoogleGenerativeAI(…)` → `GEMINI_API_KEY`); a key
 * passed to another provider's client (an OpenRouter key to `OpenAI(base_url=…)`) keeps its own.
 */
function clientEnvFor(ctx: RuleContext, literal: Node, key: KeyMatch): string | undefined {
  let node: Node | null = literal.parent;
  // Python keyword argument / JS option pair, then the argument list, then the call.
  for (let i = 0; node && i < 4; i++, node = node.parent) {
    if (node.type === 'call' || node.type === 'call_expression' || node.type === 'new_expression') {
      const env = aiClientAt(ctx, node)?.client.envVar;
      return env && PROVIDER_ENV[key.provider].test(env) ? env : undefined;
    }
  }
  return undefined;
}

/** A literal key without a known format, passed as the key of an AI client (`OpenAI(api_key="…")`). */
function literalClientKey(ctx: RuleContext, call: Node): State[] {
  const hit = aiClientAt(ctx, call);
  if (!hit) return [];
  const { client } = hit;
  const values: Node[] = [];
  const options = callOptions(ctx, call);
  for (const name of client.keyOptions) {
    const value = options.get(name);
    if (value) values.push(value);
  }
  if (client.keyPosition !== undefined) {
    const positional = isPython(ctx) ? ctx.python.callArguments(call).positional : ctx.javascript.callArguments(call);
    const value = positional[client.keyPosition];
    if (value) values.push(value);
  }
  const out: State[] = [];
  for (const value of values) {
    const literal = definitionOf(ctx, value);
    const text = literalString(ctx, literal);
    // Keys of a known format are reported where the literal is, by the string check.
    if (text === undefined || findKeysInText(text).length > 0 || !looksLikeSecretValue(text)) continue;
    out.push({ node: literal, what: 'a literal API key', masked: maskValue(text), place: 'client', client: client.name, literal, envVar: clientKeyEnv(ctx, call, client), confidence: 'medium' });
  }
  return out;
}

/** `os.environ["OPENAI_API_KEY"] = "…"`, `process.env.OPENAI_API_KEY = "…"`, `openai.api_key = "…"` with a key of unknown format. */
function literalEnvironmentKey(ctx: RuleContext, target: Node, value: Node): State | undefined {
  const name = environmentTarget(ctx, target);
  if (!name) return undefined;
  const literal = definitionOf(ctx, value);
  const text = literalString(ctx, literal);
  if (text === undefined || findKeysInText(text).length > 0 || !looksLikeSecretValue(text)) return undefined;
  const written = name.kind === 'environment';
  return {
    node: literal,
    what: 'a literal API key',
    masked: maskValue(text),
    place: written ? 'environment' : 'client',
    client: written ? undefined : name.name,
    literal,
    envVar: written ? name.name : 'OPENAI_API_KEY',
    confidence: 'medium',
  };
}

/** What an assignment target is: an AI key environment variable, or the legacy `openai.api_key` module setting. */
function environmentTarget(ctx: RuleContext, target: Node): { kind: 'environment' | 'module'; name: string } | undefined {
  if (isPython(ctx)) {
    const env = pythonEnvRead(ctx, target);
    if (env !== undefined) return isAiKeyEnvName(env) ? { kind: 'environment', name: env } : undefined;
    return target.type === 'attribute' && ctx.python.resolve(target) === 'openai.api_key' ? { kind: 'module', name: 'openai.api_key' } : undefined;
  }
  const env = jsEnvRead(ctx, target);
  return env && isAiKeyEnvName(env.name) ? { kind: 'environment', name: env.name } : undefined;
}

// ---- Fixes --------------------------------------------------------------------------------

const PY_VALUE_PARENTS = new Set(['keyword_argument', 'assignment', 'pair', 'argument_list', 'return_statement', 'default_parameter', 'typed_default_parameter', 'list', 'tuple', 'set']);
const JS_VALUE_PARENTS = new Set(['pair', 'variable_declarator', 'assignment_expression', 'arguments', 'return_statement', 'array', 'public_field_definition', 'field_definition']);

/** Client components and Vite code run in the browser, where an environment variable is no hiding place. */
const BROWSER_CODE = /^\s*['"]use client['"]|import\.meta\.env/m;

/**
 * Replace the literal with a read of the environment variable the SDK expects, or drop what
 * only stores it: the statement writing it into the environment, the fallback of
 * `os.getenv("X", "sk-…")` / `process.env.X ?? "sk-…"`.
 */
function replacementFixes(ctx: RuleContext, inner: Node, envVar: string | undefined): Fix[] {
  // `("sk-…" "…")` is replaced with its parentheses.
  let literal = inner;
  while (literal.parent?.type === 'parenthesized_expression') literal = literal.parent;
  const parent = literal.parent;
  if (!parent) return [];
  const unsafe = (title: string, edits: TextEdit[]): Fix[] => [{ title, applicability: 'unsafe', edits }];

  // Writing the key into the environment: the deployment must provide the variable instead.
  if ((parent.type === 'assignment' || parent.type === 'assignment_expression') && parent.childForFieldName('right')?.id === literal.id) {
    const left = parent.childForFieldName('left');
    const env = left && (isPython(ctx) ? pythonEnvRead(ctx, left) : jsEnvRead(ctx, left)?.name);
    if (env !== undefined && env !== null) {
      const edit = removeStatement(ctx, parent);
      return edit ? unsafe(`Remove the hardcoded ${env} (set it in the environment instead)`, [edit]) : [];
    }
  }
  const fallback = fallbackEdit(ctx, literal);
  if (fallback) return unsafe(`Remove the hardcoded fallback key (${fallback.env} must be set)`, [fallback.edit]);
  if (!envVar) return [];

  if (isPython(ctx)) {
    if (!PY_VALUE_PARENTS.has(parent.type)) return [];
    if (parent.type === 'pair' && parent.childForFieldName('value')?.id !== literal.id) return [];
    const read = `os.environ["${envVar}"]`;
    return unsafe(`Read the key from the environment: ${read}`, [{ start: literal.startIndex, end: literal.endIndex, newText: read }, ...ensureImport(ctx, 'os')]);
  }
  if (!JS_VALUE_PARENTS.has(parent.type) || BROWSER_CODE.test(ctx.text)) return [];
  if (parent.type === 'pair' && parent.childForFieldName('value')?.id !== literal.id) return [];
  const read = `process.env.${envVar}`;
  return unsafe(`Read the key from the environment: ${read}`, [{ start: literal.startIndex, end: literal.endIndex, newText: read }]);
}

/** `os.getenv("X", "sk-…")` / `os.environ.get("X", "sk-…")` / `process.env.X || "sk-…"`: the edit that drops the fallback. */
function fallbackEdit(ctx: RuleContext, literal: Node): { edit: TextEdit; env: string } | undefined {
  const parent = literal.parent;
  if (!parent) return undefined;
  if (isPython(ctx)) {
    const call = parent.type === 'argument_list' ? parent.parent : undefined;
    if (call?.type !== 'call') return undefined;
    const env = pythonEnvRead(ctx, call);
    const args = ctx.python.callArguments(call);
    const first = args.positional[0];
    if (env === undefined || args.positional[1]?.id !== literal.id || !first) return undefined;
    return { edit: { start: first.endIndex, end: literal.endIndex, newText: '' }, env };
  }
  if (parent.type !== 'binary_expression' || !/^(\|\||\?\?)$/.test(parent.childForFieldName('operator')?.text ?? '')) return undefined;
  const left = parent.childForFieldName('left');
  const env = left ? jsEnvRead(ctx, left) : undefined;
  if (!left || !env || parent.childForFieldName('right')?.id !== literal.id) return undefined;
  return { edit: { start: left.endIndex, end: literal.endIndex, newText: '' }, env: env.name };
}
