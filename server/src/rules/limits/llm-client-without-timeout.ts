import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import type { TextEdit } from '../../engine/types';
import { addOption, aiClientAt, callOptions, firstOption, type ClientTimeout } from '../client-options';
import { isPython } from '../llm';
import { AI_CODE } from '../prefilters';

interface State extends Detection {
  client: string;
  timeout: ClientTimeout;
  edits?: TextEdit[];
}

/** Options that bring their own HTTP client, whose timeout the SDK uses: out of sight here. */
const CUSTOM_TRANSPORT = ['http_client', 'httpClient', 'fetch', 'client'];

export default defineRule<State>({
  meta: {
    id: 'llm-client-without-timeout',
    group: 'limits',
    title: 'LLM client created without a request timeout',
    severity: 'info',
    status: 'stable',
    fix: 'unsafe',
    cwe: [400],
    owasp: ['LLM10'],
    confidence: 'medium',
    references: [
      'https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/',
      'https://cwe.mitre.org/data/definitions/400.html',
      'https://github.com/openai/openai-python#timeouts',
      'https://github.com/openai/openai-node#timeouts',
      'https://github.com/anthropics/anthropic-sdk-python#timeouts',
    ],
    defaultEnabled: false,
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    const hit = aiClientAt(ctx, call);
    const timeout = hit?.client.timeout;
    if (!hit || !timeout) return undefined;
    const options = callOptions(ctx, call);
    if (options.unknown || (!isPython(ctx) && ctx.javascript.callArguments(call).length > 0 && !options.object)) return undefined;
    if (firstOption(options, [...timeout.options, ...CUSTOM_TRANSPORT])) return undefined;
    if (timeoutSetLater(ctx, call)) return undefined;
    return { node: call, client: hit.client.name, timeout, edits: addOption(ctx, call, timeout.add) };
  },
  message(s) {
    return `\`${s.client}\` is created without a timeout: the SDK ${s.timeout.defaultBehaviour}, so a stalled provider or a slow, huge generation holds a worker — and the user — that long, and a burst of such requests exhausts the service. Pass a timeout sized for the longest call you expect.`;
  },
  fixes(s) {
    if (!s.edits) return [];
    return [{ title: `Add ${s.timeout.add} (longer than the slowest expected response)`, applicability: 'unsafe', edits: s.edits }];
  },
});

/** `OpenAI().with_options(timeout=…)` / `new OpenAI().withOptions({ timeout })` right where the client is built. */
function timeoutSetLater(ctx: RuleContext, call: Node): boolean {
  const member = call.parent;
  const method = member?.childForFieldName(isPython(ctx) ? 'attribute' : 'property')?.text;
  const outer = member?.parent;
  if (!outer || (method !== 'with_options' && method !== 'withOptions')) return false;
  if (outer.type !== 'call' && outer.type !== 'call_expression') return false;
  const options = callOptions(ctx, outer);
  return options.unknown || !!options.get('timeout');
}
