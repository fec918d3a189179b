import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import type { TextEdit } from '../../engine/types';
import { addOption, callOptions, configSets, definitionOf, firstOption, outputBoundFor, resolvedCallee, type OutputBound } from '../client-options';
import { dottedCallee, isPython } from '../llm';
import { AI_CODE } from '../prefilters';

interface State extends Detection {
  /** The call as written: `client.chat.completions.create`, `ChatOpenAI`. */
  call: string;
  row: OutputBound;
  /** A model constructor (LangChain), whose bound applies to every call made through it. */
  constructor: boolean;
  edits?: TextEdit[];
}

const CONSTRUCTOR = /(^|\.)(Chat\w+|AzureChatOpenAI)$/;

export default defineRule<State>({
  meta: {
    id: 'llm-call-without-max-tokens',
    group: 'limits',
    title: 'LLM call without an output token limit',
    severity: 'info',
    status: 'stable',
    fix: 'unsafe',
    cwe: [400, 770],
    owasp: ['LLM10'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/',
      'https://cwe.mitre.org/data/definitions/770.html',
      'https://platform.openai.com/docs/api-reference/chat/create#chat-create-max_completion_tokens',
      'https://ai.google.dev/api/generate-content#generationconfig',
      'https://ai-sdk.dev/docs/ai-sdk-core/settings#maxoutputtokens',
    ],
    defaultEnabled: false,
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const resolved = resolvedCallee(ctx, call);
    const row = outputBoundFor(ctx, resolved, () => dottedCallee(call));
    if (!row) return undefined;
    const dotted = dottedCallee(call);
    const options = callOptions(ctx, call);
    // Options that cannot be read may carry the bound: say nothing rather than guess.
    if (options.unknown || (!isPython(ctx) && ctx.javascript.callArguments(call).length > 0 && !options.object)) return undefined;
    if (firstOption(options, row.options)) return undefined;
    const state: State = { node: call, call: dotted.replace(/^new\s+/, ''), row, constructor: CONSTRUCTOR.test(resolved ?? dotted) };
    if (row.nested) {
      const config = options.get(row.nested.option);
      if (config) {
        const sets = configSets(ctx, config, row.nested.keys);
        return sets === false ? state : undefined;
      }
      if (row.modelConfig) {
        const model = modelConstruction(ctx, call);
        const modelConfig = model ? callOptions(ctx, model).get(row.nested.option) : undefined;
        if (modelConfig) return configSets(ctx, modelConfig, row.nested.keys) === false ? state : undefined;
        if (!model) return undefined;
      }
    }
    return { ...state, edits: addOption(ctx, call, row.add) };
  },
  message(s) {
    const what = s.constructor ? `\`${s.call}(…)\` sets no output limit, so no call made through it has one` : `\`${s.call}(…)\` sets no output limit`;
    return `${what} (\`${s.row.advice}\`): each response can run to the model's maximum output length, so a looping agent, a prompt-injected request or a user asking for "everything" costs the most time and money the API allows. Set a bound that fits what the response is for.`;
  },
  fixes(s) {
    if (!s.edits) return [];
    return [{ title: `Add ${s.row.add} (raise it if responses need more)`, applicability: 'unsafe', edits: s.edits }];
  },
});

/** The `GenerativeModel(...)` construction a Gemini `model.generate_content(...)` call's receiver comes from. */
function modelConstruction(ctx: RuleContext, call: Node): Node | undefined {
  const fn = call.childForFieldName('function');
  const receiver = fn?.type === 'attribute' ? fn.childForFieldName('object') : undefined;
  if (!receiver) return undefined;
  const def = definitionOf(ctx, receiver);
  return def.type === 'call' ? def : undefined;
}
