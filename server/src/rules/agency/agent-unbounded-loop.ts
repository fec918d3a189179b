import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { isModelOutputCall } from '../../engine/sdk/index';
import { descendantsOfType, isFunction } from '../agent-tools';
import { calleeName, dottedCallee, isPython } from '../llm';
import { AI_CODE } from '../prefilters';

/** Step, turn and recursion limits above this are treated as no limit. */
const THRESHOLD = 100;

/**
 * Agent limits by name, with the bound the fix writes: the framework's own default where it has
 * one (LangChain AgentExecutor 15 iterations, OpenAI Agents 10 turns, LangGraph 25 supersteps).
 */
interface Limit {
  /** How the setting is spelled (keyword, dict key or property). */
  name: string;
  /** What runs out, for the message. */
  unit: string;
  bound: number;
  /** `None` / `null` means "no limit" for this setting. */
  noneIsUnbounded?: boolean;
}

const PY_LIMITS: [RegExp, Limit][] = [
  [/^langchain\w*\.agents(\.\w+)*\.(AgentExecutor(\.from_agent_and_tools)?|initialize_agent)$/, { name: 'max_iterations', unit: 'agent iterations', bound: 15, noneIsUnbounded: true }],
  [/^agents\.Runner\.run(_sync|_streamed)?$/, { name: 'max_turns', unit: 'agent turns', bound: 10 }],
];
/** `{"recursion_limit": …}` in a LangGraph config, `.with_config(recursion_limit=…)`, `RunnableConfig(recursion_limit=…)`. */
const RECURSION_LIMIT: Limit = { name: 'recursion_limit', unit: 'graph steps', bound: 25 };

const JS_LIMITS: Record<string, Limit> = {
  maxSteps: { name: 'maxSteps', unit: 'model steps', bound: 10 },
  maxTurns: { name: 'maxTurns', unit: 'agent turns', bound: 10 },
  recursionLimit: { name: 'recursionLimit', unit: 'graph steps', bound: 25 },
  maxIterations: { name: 'maxIterations', unit: 'agent iterations', bound: 15 },
};
/** Only files that use an agent SDK: `maxTurns` in a game config is not an agent limit. */
const JS_AGENT_MODULES = /^(ai|@ai-sdk\/\w+|@openai\/agents(-core)?|@langchain\/[\w-]+(\/.*)?|langchain(\/.*)?)$/;

/** Calls that wait on a person, a queue or a timer each iteration: such loops are paced from outside. */
const PACING = /(^|\.)(input|sleep|recv|receive\w*|poll|consume|readline|question|get_message|next_message|listen|wait_for|waitForMessage|setTimeout)$/;
const QUEUE_GET = /(^|\.)(queue|q|inbox|jobs|tasks|work_queue|messages)\.get$/i;
const PROCESS_EXIT = /^(sys\.exit|os\._exit|builtins\.exit|global\.process\.exit)$/;

type State = LoopState | SettingState;

interface LoopState extends Detection {
  kind: 'loop';
  header: string;
  llm: string;
  /** The exits, all decided by model output; empty when the loop has none. */
  exits: Node[];
}

interface SettingState extends Detection {
  kind: 'setting';
  limit: Limit;
  value: Node;
  shown: string;
  /** AI SDK `stopWhen: hasToolCall(...)` alone: the model decides when to stop. */
  modelStop?: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'agent-unbounded-loop',
    group: 'agency',
    title: 'Agent loop or agent run has no effective step limit',
    severity: 'warning',
    status: 'stable',
    fix: 'unsafe',
    cwe: [400, 834],
    owasp: ['LLM10', 'LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://python.langchain.com/api_reference/langchain/agents/langchain.agents.agent.AgentExecutor.html',
      'https://langchain-ai.github.io/langgraph/how-tos/recursion-limit/',
      'https://openai.github.io/openai-agents-python/running_agents/',
      'https://ai-sdk.dev/docs/ai-sdk-core/tools-and-tool-calling#multi-step-calls-using-stopwhen',
      'https://cwe.mitre.org/data/definitions/834.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures }, ctx) {
    if (captures.loop) return loopCheck(ctx, captures.loop);
    if (captures.call) return isPython(ctx) ? pythonCall(ctx, captures.call) : javascriptCall(ctx, captures.call);
    if (captures.pair && captures.key && captures.value) return pairCheck(ctx, captures.key, captures.value);
    return undefined;
  },
  message(s) {
    if (s.kind === 'loop') {
      const why = s.exits.length === 0 ? 'and nothing ever leaves the loop' : `and every way out depends on the model's own output (\`${short(s.exits[0].text)}\`${s.exits.length > 1 ? ', …' : ''})`;
      return `A model call (\`${s.llm}\`) runs inside \`${s.header}\` ${why}: a model that never says it is done — or a prompt injection steering it — keeps the loop going forever, spending tokens and repeating any tool side effects. Bound it (\`for step in range(MAX_STEPS)\`, or a step counter that breaks) and stop on a time or cost budget too.`;
    }
    const setting = short(s.modelStop ? s.value.text : settingText(s.value));
    if (s.modelStop) {
      return `\`stopWhen: ${setting}\` stops only when the model calls that tool: the model decides how many steps run, and a prompt injection can keep it going. Add a step bound beside it (\`stopWhen: [stepCountIs(10), ${setting}]\`).`;
    }
    const amount = s.shown === 'unlimited' ? `with no limit on ${s.limit.unit}` : `more than ${THRESHOLD} ${s.limit.unit}`;
    return `\`${setting}\` lets the agent run ${amount}: a looping model, or a prompt injection that keeps it busy, spends tokens and repeats tool side effects at will. Keep the limit small (the default is ${s.limit.bound}) and raise it only as far as the task needs.`;
  },
  fixes(s): Fix[] {
    if (s.kind !== 'setting' || s.modelStop) return [];
    return [{ title: `Set ${s.limit.name} to ${s.limit.bound}`, applicability: 'unsafe', edits: [replaceNode(s.value, String(s.limit.bound))] }];
  },
});

// --- Loops -------------------------------------------------------------------------------

function loopCheck(ctx: RuleContext, loop: Node): LoopState | undefined {
  if (!isForever(loop)) return undefined;
  const body = loop.childForFieldName('body');
  if (!body) return undefined;
  const calls = descendantsOfType(body, new Set(isPython(ctx) ? ['call'] : ['call_expression', 'new_expression']), true);
  const llm = calls.find((c) => isLlmCall(ctx, c, 1));
  if (!llm) return undefined;
  // A loop that waits for a person, a queue or a timer each round is paced from outside.
  const allCalls = descendantsOfType(body, new Set(isPython(ctx) ? ['call'] : ['call_expression', 'new_expression']));
  if (allCalls.some((c) => isPacing(ctx, c))) return undefined;
  const exits = exitsOf(ctx, loop, body);
  const modelExits: Node[] = [];
  for (const exit of exits) {
    const conditions = guardsOf(exit, body);
    if (conditions === 'error') continue; // leaving on an exception bounds nothing in normal runs
    if (conditions.length === 0 || !conditions.some((c) => decidedByModel(ctx, c))) return undefined;
    modelExits.push(conditions.find((c) => decidedByModel(ctx, c)) ?? exit);
  }
  const header = isPython(ctx) ? `while ${loop.childForFieldName('condition')?.text ?? 'True'}` : loop.type === 'for_statement' ? 'for (;;)' : loop.type === 'do_statement' ? 'do … while (true)' : 'while (true)';
  return { kind: 'loop', node: loop, header, llm: short(dottedCallee(llm)), exits: modelExits, confidence: modelExits.length > 0 ? 'medium' : undefined };
}

/** `while True` / `while 1` / `while (true)` / `for (;;)` / `do … while (true)`. */
function isForever(loop: Node): boolean {
  if (loop.type === 'for_statement') {
    const condition = loop.childForFieldName('condition');
    return !condition || condition.type === 'empty_statement' || /^(true|1);?$/.test(condition.text.trim());
  }
  const condition = loop.childForFieldName('condition');
  if (!condition) return false;
  const text = condition.text.replace(/^\(\s*|\s*\)$/g, '').trim();
  return /^(True|true|1|!0)$/.test(text);
}

/** Whether a call is a model call, directly or through a same-file function (one level deep). */
function isLlmCall(ctx: RuleContext, call: Node, depth: number): boolean {
  const language = isPython(ctx) ? 'python' : 'javascript';
  if (isModelOutputCall(language, calleeName(ctx, call), dottedCallee(call))) return true;
  if (depth <= 0) return false;
  const fn = localFunction(ctx, call);
  const body = fn?.childForFieldName('body');
  if (!body) return false;
  return descendantsOfType(body, new Set(isPython(ctx) ? ['call'] : ['call_expression', 'new_expression']), true).some((c) => isLlmCall(ctx, c, depth - 1));
}

/** The same-file function a call to a plain name invokes. */
function localFunction(ctx: RuleContext, call: Node): Node | undefined {
  const callee = call.childForFieldName('function');
  if (callee?.type !== 'identifier') return undefined;
  const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
  const b = scopes.scopeAt(callee).lookup(callee.text, callee.startIndex);
  if (b?.kind === 'opaque' && b.node && isFunction(b.node)) return b.node;
  if (b?.kind === 'value' && isFunction(b.value)) return b.value;
  return undefined;
}

function isPacing(ctx: RuleContext, call: Node): boolean {
  const name = calleeName(ctx, call) ?? '';
  const text = dottedCallee(call);
  return PACING.test(name) || PACING.test(text) || QUEUE_GET.test(text) || /^builtins\.input$/.test(name);
}

const LOOPS = new Set(['while_statement', 'for_statement', 'for_in_statement', 'do_statement']);

/** Statements that leave the loop: its own breaks, returns, raises/throws, process exits. */
function exitsOf(ctx: RuleContext, loop: Node, body: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (isFunction(n) || n.type === 'class_definition' || n.type === 'class_declaration') continue;
    if (n.type === 'break_statement' && breaksOut(n, loop)) out.push(n);
    else if (n.type === 'return_statement' || n.type === 'raise_statement' || n.type === 'throw_statement') out.push(n);
    else if ((n.type === 'call' || n.type === 'call_expression') && PROCESS_EXIT.test(calleeName(ctx, n) ?? '')) out.push(n);
    for (const c of n.namedChildren) if (c) stack.push(c);
  }
  return out;
}

/** A `break` leaves `loop` when no inner loop (or JS `switch`) catches it first; labels are matched. */
function breaksOut(brk: Node, loop: Node): boolean {
  const label = brk.namedChildren.find((c) => c?.type === 'statement_identifier')?.text;
  if (label) return loop.parent?.type === 'labeled_statement' && loop.parent.childForFieldName('label')?.text === label;
  for (let n = brk.parent; n; n = n.parent) {
    if (n.id === loop.id) return true;
    if (LOOPS.has(n.type) || n.type === 'switch_statement') return false;
  }
  return false;
}

/**
 * The conditions an exit depends on, up to the loop body: enclosing `if`/`elif` tests (and, for
 * an `else`/`elif` branch, the tests before it). 'error' when the exit is in an exception handler.
 */
function guardsOf(exit: Node, body: Node): Node[] | 'error' {
  const out: Node[] = [];
  let child = exit;
  for (let n = exit.parent; n && n.id !== body.id; child = n, n = n.parent) {
    if (n.type === 'except_clause' || n.type === 'catch_clause') return 'error';
    if (n.type === 'if_statement' || n.type === 'elif_clause') {
      const condition = n.childForFieldName('condition');
      if (condition && condition.id !== child.id) out.push(condition);
      // For an elif/else branch, the earlier tests of the same chain were false.
      if (n.type === 'if_statement') {
        for (const alt of n.childrenForFieldName('alternative')) {
          if (!alt || alt.startIndex >= child.startIndex) break;
          const c = alt.childForFieldName('condition');
          if (c) out.push(c);
        }
      }
    }
    if ((n.type === 'for_statement' || n.type === 'for_in_statement') && n.childForFieldName('right')) out.push(n.childForFieldName('right')!);
  }
  return out;
}

/** Whether the model's output decides this condition (`or`: every side must; `and`: any side may). */
function decidedByModel(ctx: RuleContext, condition: Node, depth = 0): boolean {
  if (depth > 8) return false;
  const n = condition.type === 'parenthesized_expression' && condition.namedChildren[0] ? condition.namedChildren[0] : condition;
  const op = n.childForFieldName('operator')?.text;
  if ((n.type === 'boolean_operator' || n.type === 'binary_expression') && (op === 'or' || op === '||' || op === 'and' || op === '&&')) {
    const sides = [n.childForFieldName('left'), n.childForFieldName('right')].filter((c): c is Node => !!c);
    const decided = sides.map((s) => decidedByModel(ctx, s, depth + 1));
    return op === 'or' || op === '||' ? decided.every(Boolean) : decided.some(Boolean);
  }
  if (n.type === 'not_operator' || (n.type === 'unary_expression' && op === '!')) {
    const arg = n.childForFieldName('argument');
    return !!arg && decidedByModel(ctx, arg, depth + 1);
  }
  return !!ctx.taint.taintOf(n, { labels: ['llm-output'] });
}

// --- Settings ----------------------------------------------------------------------------

function pythonCall(ctx: RuleContext, call: Node): SettingState | undefined {
  const name = calleeName(ctx, call);
  if (!name) return undefined;
  const row = PY_LIMITS.find(([re]) => re.test(name));
  if (row) {
    const value = ctx.python.argument(call, row[1].name);
    return value ? settingState(ctx, row[1], value) : undefined;
  }
  // `.with_config(recursion_limit=…)`, `RunnableConfig(recursion_limit=…)`, `invoke(…, recursion_limit=…)`.
  if (/^(langgraph|langchain)\w*\./.test(name) || /\.with_config$/.test(name)) {
    const value = ctx.python.argument(call, 'recursion_limit');
    return value ? settingState(ctx, RECURSION_LIMIT, value) : undefined;
  }
  return undefined;
}

function javascriptCall(ctx: RuleContext, call: Node): SettingState | undefined {
  // `stopWhen: stepCountIs(500)`
  const name = calleeName(ctx, call);
  if (name !== 'ai.stepCountIs') return undefined;
  const value = ctx.javascript.callArguments(call)[0];
  return value ? settingState(ctx, { name: 'stepCountIs', unit: 'model steps', bound: 10 }, value) : undefined;
}

function pairCheck(ctx: RuleContext, key: Node, value: Node): SettingState | undefined {
  if (isPython(ctx)) {
    if (key.text !== 'recursion_limit' || !/\b(langgraph|langchain)/.test(ctx.text)) return undefined;
    return settingState(ctx, RECURSION_LIMIT, value);
  }
  if (!usesAgentSdk(ctx)) return undefined;
  const keyName = key.text;
  if (keyName === 'stopWhen') {
    // `stopWhen: hasToolCall('finalAnswer')` alone: only the model ends the run.
    const def = ctx.javascript.definition(value);
    if (def.type === 'call_expression' && calleeName(ctx, def) === 'ai.hasToolCall') {
      return { kind: 'setting', node: value, limit: { name: 'stopWhen', unit: 'model steps', bound: 10 }, value: def, shown: 'model-decided', modelStop: true, confidence: 'medium' };
    }
    return undefined;
  }
  const limit = keyName ? JS_LIMITS[keyName] : undefined;
  return limit ? settingState(ctx, limit, value) : undefined;
}

function usesAgentSdk(ctx: RuleContext): boolean {
  return descendantsOfType(ctx.tree.rootNode, new Set(['import_statement'])).some((s) => JS_AGENT_MODULES.test(s.childForFieldName('source')?.text.slice(1, -1) ?? '')) || /require\(['"](ai|@openai\/agents|@langchain\/|langchain)/.test(ctx.text);
}

/** A setting whose value is unlimited or above the threshold. */
function settingState(ctx: RuleContext, limit: Limit, value: Node): SettingState | undefined {
  const text = value.text.replace(/\s+/g, '');
  if (/^(float\(["'](inf|infinity)["']\)|math\.inf|numpy\.inf|np\.inf|sys\.maxsize|Infinity|Number\.(MAX_SAFE_INTEGER|MAX_VALUE|POSITIVE_INFINITY))$/i.test(text)) {
    return { kind: 'setting', node: value, limit, value, shown: 'unlimited' };
  }
  const literal = isPython(ctx) ? ctx.python.literal(value) : ctx.javascript.literal(value);
  if (!literal) return undefined;
  if (literal.value === null) return limit.noneIsUnbounded ? { kind: 'setting', node: value, limit, value, shown: 'unlimited' } : undefined;
  if (typeof literal.value === 'number' && literal.value > THRESHOLD) return { kind: 'setting', node: value, limit, value, shown: String(literal.value) };
  return undefined;
}

/** The setting as written: `max_iterations=None`, `"recursion_limit": 1000`, `maxSteps: 1000`, `stepCountIs(500)`. */
function settingText(value: Node): string {
  const parent = value.parent;
  if (parent?.type === 'keyword_argument' || parent?.type === 'pair') return parent.text;
  if (parent?.type === 'arguments' && parent.parent) return parent.parent.text;
  return value.text;
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 50 ? `${flat.slice(0, 47)}…` : flat;
}
