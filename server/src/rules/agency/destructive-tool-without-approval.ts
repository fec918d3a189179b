import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix, RelatedLocation, TextEdit } from '../../engine/types';
import { callsIn, constantPrefix, descendantsOfType, objectMember, toolHandlers, type ToolHandler } from '../agent-tools';
import { methodCall } from '../guards';
import { calleeName, isPython } from '../llm';
import { addArgument } from '../python-edits';
import { AI_CODE } from '../prefilters';

/** What a destructive call does, for messages. */
type Effect = 'deletes files' | 'runs a destructive command' | 'deletes or drops database data' | 'sends email' | 'moves money' | 'pushes to a git remote' | 'deletes cloud resources' | 'sends an HTTP DELETE';

// Calls that destroy, send or spend: [callee, effect]. Commands and SQL are judged by their text.
const PY_DESTRUCTIVE: [RegExp, Effect][] = [
  [/^os\.(remove|unlink|rmdir|removedirs)$|^shutil\.rmtree$|^pathlib\.Path\(\)\.(unlink|rmdir)$/, 'deletes files'],
  [/^smtplib\.SMTP(_SSL)?\(\)\.(send_message|sendmail)$|^yagmail\.SMTP\(\)\.send$|^sendgrid\..*\.send$|^resend\.Emails\.send$/, 'sends email'],
  [/^stripe\.(Charge|PaymentIntent|Refund|Transfer|Payout|Subscription)\.(create|confirm|cancel|delete)$|^stripe\.StripeClient\(\)\.\w+\.(create|confirm|cancel|delete)$/, 'moves money'],
  [/^git\.Repo\(\)(\.\w+(\(\))?)*\.push$/, 'pushes to a git remote'],
  [/^boto3\.(client|resource)\(\)\.(delete_\w+|terminate_instances)$/, 'deletes cloud resources'],
  [/^(requests|httpx)\.delete$/, 'sends an HTTP DELETE'],
];
const PY_COMMAND = /^(subprocess\.(run|call|check_call|check_output|Popen)|os\.(system|popen)|asyncio\.create_subprocess_(shell|exec))$/;
const PY_SQL = /(^|\.)(execute|executemany|executescript|exec_driver_sql)$/;

const JS_DESTRUCTIVE: [RegExp, Effect][] = [
  [/^(node:)?fs(\/promises|-extra)?(\.promises)?(\.default)?\.(rm|rmSync|unlink|unlinkSync|rmdir|rmdirSync|remove|removeSync|emptyDir)$/, 'deletes files'],
  [/^nodemailer(\.default)?\.createTransport\(\)\.sendMail$|^resend\.Resend\(\)\.emails\.send$|^@sendgrid\/mail(\.default)?\.send$/, 'sends email'],
  [/^stripe(\.default)?(\.Stripe)?\(\)\.(paymentIntents|charges|refunds|transfers|payouts|subscriptions)\.(create|confirm|cancel|del)$/, 'moves money'],
  [/^simple-git(\.default|\.simpleGit)?\(\)\.push$/, 'pushes to a git remote'],
  [/^axios(\.default)?\.delete$/, 'sends an HTTP DELETE'],
];
const JS_COMMAND = /^(node:)?child_process(\.default)?\.(exec|execSync|spawn|spawnSync|execFile|execFileSync)$|^execa(\.default)?(\.\w+)?$/;
const JS_SQL_METHOD = /^(query|execute|exec|run|raw|unsafe|\$executeRawUnsafe|\$executeRaw)$/;

/** Commands that delete, overwrite, publish or tear down. */
const DESTRUCTIVE_COMMAND = /^\s*(sudo\s+)?(rm|rmdir|shred|dd|mkfs(\.\w+)?|truncate|git\s+(push|reset\s+--hard|clean\s+-\w*f|branch\s+-D)|kubectl\s+delete|terraform\s+destroy|docker\s+(rm|rmi|system\s+prune)|aws\s+s3\s+rm|gsutil\s+rm|dropdb|npm\s+publish)\b/;
const DESTRUCTIVE_SQL = /\b(DROP\s+(TABLE|DATABASE|SCHEMA|INDEX|VIEW)|DELETE\s+FROM|TRUNCATE(\s+TABLE)?|ALTER\s+TABLE\s+\S+\s+DROP)\b/i;

interface Destruction {
  call: Node;
  effect: Effect;
  what: string;
}

interface State extends Detection {
  handler: ToolHandler;
  destructions: Destruction[];
  /** MCP: the annotation that tells clients the tool is harmless (`readOnlyHint`, `destructiveHint`). */
  hint?: { name: string; value: Node };
}

export default defineRule<State>({
  meta: {
    id: 'destructive-tool-without-approval',
    group: 'agency',
    title: 'Destructive agent tool runs without the approval gate its SDK offers',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [862, 749],
    owasp: ['LLM06'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://openai.github.io/openai-agents-python/human_in_the_loop/',
      'https://ai-sdk.dev/docs/ai-sdk-core/tools-and-tool-calling',
      'https://langchain-ai.github.io/langgraph/concepts/human_in_the_loop/',
      'https://modelcontextprotocol.io/specification/2025-06-18/server/tools#tool-annotations',
      'https://cwe.mitre.org/data/definitions/862.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { file } }, ctx) {
    // One match per file (the root node): tools are found by the shared helper.
    if (!file || file.parent) return undefined;
    const out: State[] = [];
    for (const handler of toolHandlers(ctx)) {
      const destructions = callsIn(ctx, handler.fn).map((c) => destructive(ctx, c)).filter((d): d is Destruction => !!d);
      if (destructions.length === 0) continue;
      if (handler.framework === 'mcp') {
        const hint = misleadingHint(ctx, handler);
        if (hint && !asksUser(ctx, handler)) out.push({ node: hint.value.parent ?? hint.value, handler, destructions, hint, related: relatedOf(ctx, destructions) });
        continue;
      }
      if (handler.framework === 'llamaindex' || handler.framework === 'crewai' || gated(ctx, handler)) continue;
      out.push({ node: anchorOf(handler), handler, destructions, related: relatedOf(ctx, destructions) });
    }
    return out;
  },
  message(s, ctx) {
    const effects = [...new Set(s.destructions.map((d) => d.effect))];
    const first = s.destructions[0];
    const does = `${effects.join(' and ')} (\`${first.what}\`${s.destructions.length > 1 ? ` and ${s.destructions.length - 1} more` : ''})`;
    if (s.hint) {
      return `MCP tool \`${s.handler.name}\` ${does} but is annotated \`${s.hint.name}\` as harmless, so clients may run it without asking the user. Annotate it truthfully (\`destructiveHint: true\`, no \`readOnlyHint\`), or ask for confirmation with elicitation.`;
    }
    return `Tool \`${s.handler.name}\` ${does} as soon as the model calls it: a prompt injection in anything the agent reads can trigger it, and no person confirms. ${GATE[s.handler.framework === 'openai-agents' && isPython(ctx) ? 'openai-agents-py' : s.handler.framework]}`;
  },
  fixes(s, ctx) {
    const edits = s.hint ? hintFix(ctx, s.hint) : gateFix(ctx, s.handler);
    if (!edits || edits.length === 0) return [];
    const title = s.hint ? 'Annotate the tool as destructive' : isPython(ctx) ? 'Require approval (needs_approval=True)' : 'Require approval (needsApproval: true)';
    const fix: Fix = { title, applicability: 'unsafe', edits };
    return [fix];
  },
});

const GATE: Record<string, string> = {
  'openai-agents-py': 'Set `needs_approval=True` on `@function_tool` and resume the run once a person approves the interruption.',
  'openai-agents': 'Set `needsApproval: true` on the tool and resume the run once a person approves the interruption.',
  'ai-sdk': 'Set `needsApproval: true` (AI SDK 6) so the call waits for the user\'s approval.',
  langchain: 'Pause for a person inside the tool with LangGraph `interrupt(...)`, or configure `HumanInTheLoopMiddleware(interrupt_on={...})` / `interrupt_before` for it.',
};

function relatedOf(ctx: RuleContext, destructions: Destruction[]): RelatedLocation[] {
  return destructions.map((d) => ({ path: ctx.path, range: { start: d.call.startIndex, end: d.call.endIndex }, message: `${d.effect} here` }));
}

/** What is underlined: the decorator (Python) or the registering call's callee (JavaScript). */
function anchorOf(handler: ToolHandler): Node {
  if (handler.registration.type === 'decorator') return handler.registration;
  // A tool class: its name.
  if (/^class/.test(handler.registration.type)) return handler.registration.childForFieldName('name') ?? handler.registration;
  return handler.registration.childForFieldName('function') ?? handler.registration.childForFieldName('constructor') ?? handler.registration;
}

function destructive(ctx: RuleContext, call: Node): Destruction | undefined {
  const name = calleeName(ctx, call);
  const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
  const what = short(callee?.text ?? name ?? '');
  if (isPython(ctx)) {
    const row = name ? PY_DESTRUCTIVE.find(([re]) => re.test(name)) : undefined;
    if (row) return { call, effect: row[1], what };
    // pathlib receivers the resolver cannot follow: `(ROOT / name).unlink()`.
    const m = methodCall(call);
    if (!name && m && /^(unlink|rmdir)$/.test(m.method) && m.args.length <= 1) return { call, effect: 'deletes files', what };
    // `with smtplib.SMTP(...) as smtp: smtp.send_message(msg)` (a `with` target does not resolve).
    if (!name && m && /^(send_message|sendmail)$/.test(m.method) && /\bsmtplib\b/.test(ctx.text)) return { call, effect: 'sends email', what };
    if (name && PY_COMMAND.test(name)) {
      const command = ctx.python.argument(call, 'args', 0) ?? ctx.python.argument(call, 'command', 0) ?? ctx.python.argument(call, 'cmd', 0);
      return command && DESTRUCTIVE_COMMAND.test(commandText(ctx, command, ctx.python.callArguments(call).positional)) ? { call, effect: 'runs a destructive command', what } : undefined;
    }
    if ((name ?? callee?.text ?? '').match(PY_SQL)) {
      const sql = ctx.python.callArguments(call).positional[0];
      return sql && DESTRUCTIVE_SQL.test(constantPrefix(ctx, sql).text) ? { call, effect: 'deletes or drops database data', what } : undefined;
    }
    return undefined;
  }
  const row = name ? JS_DESTRUCTIVE.find(([re]) => re.test(name)) : undefined;
  if (row) return { call, effect: row[1], what };
  const args = ctx.javascript.callArguments(call);
  if (name && JS_COMMAND.test(name) && args[0]) {
    return DESTRUCTIVE_COMMAND.test(commandText(ctx, args[0], args)) ? { call, effect: 'runs a destructive command', what } : undefined;
  }
  // fetch(url, { method: 'DELETE' })
  if (name === 'global.fetch' && args[1]) {
    const method = ctx.javascript.property(args[1], 'method');
    const v = method ? ctx.javascript.literal(method)?.value : undefined;
    if (typeof v === 'string' && v.toUpperCase() === 'DELETE') return { call, effect: 'sends an HTTP DELETE', what };
  }
  // SQL text in a call or a tagged template: db.query('DELETE FROM …'), sql`DROP TABLE …`.
  const template = call.childForFieldName('arguments');
  if (template?.type === 'template_string' && DESTRUCTIVE_SQL.test(constantPrefix(ctx, template).text)) return { call, effect: 'deletes or drops database data', what };
  const m = methodCall(call);
  if (m && JS_SQL_METHOD.test(m.method) && m.args[0] && DESTRUCTIVE_SQL.test(constantPrefix(ctx, m.args[0]).text)) return { call, effect: 'deletes or drops database data', what };
  return undefined;
}

/** The command a process call runs, as far as it is constant: a string, or argv literals joined by spaces. */
function commandText(ctx: RuleContext, command: Node, positional: Node[]): string {
  const def = isPython(ctx) ? ctx.python.definition(command) : ctx.javascript.definition(command);
  const literal = (n: Node) => (isPython(ctx) ? ctx.python.literal(n) : ctx.javascript.literal(n))?.value;
  if (def.type === 'list' || def.type === 'tuple' || def.type === 'array') {
    return def.namedChildren.map((c) => (c ? literal(c) : undefined)).map((v) => (typeof v === 'string' ? v : '…')).join(' ');
  }
  const head = constantPrefix(ctx, command).text;
  // spawn('git', ['push', …]) / create_subprocess_exec("git", "push")
  const rest = positional.slice(1).map((a) => (isPython(ctx) ? ctx.python.definition(a) : ctx.javascript.definition(a)));
  const argv = rest[0]?.type === 'array' ? rest[0].namedChildren.filter((c): c is Node => !!c) : rest.filter((a) => a.type === 'string');
  const more = argv.map((a) => literal(a)).filter((v): v is string => typeof v === 'string');
  return [head, ...more].join(' ');
}

/** Whether the tool is behind an approval gate its SDK understands. */
function gated(ctx: RuleContext, handler: ToolHandler): boolean {
  if (asksUser(ctx, handler)) return true;
  if (handler.framework === 'openai-agents' || handler.framework === 'ai-sdk') {
    const flag = approvalFlag(ctx, handler);
    if (flag) return (isPython(ctx) ? ctx.python.literal(flag) : ctx.javascript.literal(flag))?.value !== false;
    // AI SDK ToolLoopAgent `toolApproval: {...}` configures approval outside the tool.
    return handler.framework === 'ai-sdk' && /\btoolApproval\b/.test(ctx.text);
  }
  if (handler.framework === 'langchain') {
    // LangGraph pauses before tool nodes, or LangChain's middleware interrupts on named tools.
    if (/\binterrupt_(before|after)\b|\binterrupt(Before|After)\b/.test(ctx.text)) return true;
    return hitlCovers(ctx, handler.name);
  }
  return false;
}

/** A person is asked inside the tool: LangGraph `interrupt()`, MCP elicitation, `input()`, `confirm()`. */
function asksUser(ctx: RuleContext, handler: ToolHandler): boolean {
  return callsIn(ctx, handler.fn).some((c) => {
    const name = calleeName(ctx, c) ?? '';
    const text = (c.childForFieldName('function') ?? c.childForFieldName('constructor'))?.text.replace(/\s+/g, '') ?? '';
    return /^(langgraph\.types\.interrupt|@langchain\/langgraph\.interrupt|builtins\.input|global\.(confirm|prompt))$/.test(name) || /(^|\.)(interrupt|elicit|elicitInput)$/.test(text);
  });
}

/** `needs_approval=` on the decorator / `needsApproval:` in the options object. */
function approvalFlag(ctx: RuleContext, handler: ToolHandler): Node | undefined {
  if (isPython(ctx)) return handler.options ? ctx.python.argument(handler.options, 'needs_approval') : undefined;
  return handler.options ? objectMember(handler.options, 'needsApproval') : undefined;
}

/** `HumanInTheLoopMiddleware(interrupt_on={"delete_file": True})` naming this tool (or configured out of sight). */
function hitlCovers(ctx: RuleContext, tool: string): boolean {
  if (!/HumanInTheLoopMiddleware|humanInTheLoopMiddleware/.test(ctx.text)) return false;
  const calls = descendantsOfType(ctx.tree.rootNode, new Set(isPython(ctx) ? ['call'] : ['call_expression', 'new_expression']));
  for (const call of calls) {
    const callee = call.childForFieldName('function') ?? call.childForFieldName('constructor');
    if (!callee || !/(HumanInTheLoopMiddleware|humanInTheLoopMiddleware)$/.test(callee.text)) continue;
    const config = isPython(ctx) ? ctx.python.argument(call, 'interrupt_on', 0) : ctx.javascript.property(ctx.javascript.callArguments(call)[0], 'interruptOn');
    if (!config) return true;
    const def = isPython(ctx) ? ctx.python.definition(config) : ctx.javascript.definition(config);
    if (def.type !== 'dictionary' && def.type !== 'object') return true;
    const value = isPython(ctx) ? dictValue(ctx, def, tool) : ctx.javascript.property(def, tool);
    if (value) return (isPython(ctx) ? ctx.python.literal(value) : ctx.javascript.literal(value))?.value !== false;
  }
  return false;
}

function dictValue(ctx: RuleContext, dict: Node, key: string): Node | undefined {
  for (const pair of dict.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    if (k && ctx.python.literal(k)?.value === key) return pair.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/**
 * MCP: the tool annotations say read-only or non-destructive. Python `@mcp.tool(annotations=
 * ToolAnnotations(readOnlyHint=True))` or a dict; TypeScript `server.tool(name, desc, schema,
 * { destructiveHint: false }, handler)` or `registerTool(name, { annotations: {...} }, handler)`.
 */
function misleadingHint(ctx: RuleContext, handler: ToolHandler): { name: string; value: Node } | undefined {
  const check = (name: string, value: Node | undefined) => {
    if (!value) return undefined;
    const v = (isPython(ctx) ? ctx.python.literal(value) : ctx.javascript.literal(value))?.value;
    if (name === 'readOnlyHint' && v === true) return { name: `${name}: true`, value };
    if (name === 'destructiveHint' && v === false) return { name: `${name}: false`, value };
    return undefined;
  };
  if (isPython(ctx)) {
    const annotations = handler.options ? ctx.python.argument(handler.options, 'annotations') : undefined;
    if (!annotations) return undefined;
    const def = ctx.python.definition(annotations);
    for (const key of ['readOnlyHint', 'destructiveHint']) {
      const value = def.type === 'call' ? ctx.python.argument(def, key) : def.type === 'dictionary' ? dictValue(ctx, def, key) : undefined;
      const hit = check(key, value);
      if (hit) return hit;
    }
    return undefined;
  }
  const args = ctx.javascript.callArguments(handler.registration);
  const objects = handler.options ? [ctx.javascript.property(handler.options, 'annotations')] : args.slice(1, -1);
  for (const o of objects) {
    if (!o) continue;
    for (const key of ['readOnlyHint', 'destructiveHint']) {
      const hit = check(key, ctx.javascript.property(o, key));
      if (hit) return hit;
    }
  }
  return undefined;
}

function hintFix(ctx: RuleContext, hint: { name: string; value: Node }): TextEdit[] {
  const truthful = hint.name.startsWith('readOnlyHint') ? 'False' : 'True';
  return [replaceNode(hint.value, isPython(ctx) ? truthful : truthful.toLowerCase())];
}

/** Adds the SDK's approval switch: `@function_tool(needs_approval=True)` / `needsApproval: true,`. */
function gateFix(ctx: RuleContext, handler: ToolHandler): TextEdit[] | undefined {
  if (handler.framework !== 'openai-agents' && handler.framework !== 'ai-sdk') return undefined;
  const flag = approvalFlag(ctx, handler);
  if (flag) return [replaceNode(flag, isPython(ctx) ? 'True' : 'true')];
  if (isPython(ctx)) {
    if (handler.options) return addArgument(handler.options, ctx.text, 'needs_approval=True');
    const expr = handler.registration.namedChildren[0];
    return expr ? [{ start: expr.endIndex, end: expr.endIndex, newText: '(needs_approval=True)' }] : undefined;
  }
  const execute = handler.options ? executeMember(handler.options) : undefined;
  if (!execute) return undefined;
  const lineStart = ctx.text.lastIndexOf('\n', execute.startIndex - 1) + 1;
  const indent = ctx.text.slice(lineStart, execute.startIndex);
  const newline = ctx.text.includes('\r\n') ? '\r\n' : '\n';
  const separator = /^[ \t]*$/.test(indent) ? `${newline}${indent}` : ' ';
  return [{ start: execute.startIndex, end: execute.startIndex, newText: `needsApproval: true,${separator}` }];
}

/** The `execute` member (pair or method) of a tool options object. */
function executeMember(options: Node): Node | undefined {
  for (const member of options.namedChildren) {
    if (!member) continue;
    if (member.type === 'method_definition' && member.childForFieldName('name')?.text === 'execute') return member;
    if (member.type === 'pair' && member.childForFieldName('key')?.text === 'execute') return member;
    if (member.type === 'shorthand_property_identifier' && member.text === 'execute') return member;
  }
  return undefined;
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, '');
  return flat.length > 40 ? `${flat.slice(0, 37)}…` : flat;
}
