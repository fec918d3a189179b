// Smaller SDKs: Cohere, Mistral, LiteLLM, the OpenAI Agents SDK.
import type { SdkModel } from './types';

export const OTHER_SDKS: SdkModel[] = [
  {
    sdk: 'cohere',
    language: 'python',
    docs: 'https://docs.cohere.com/reference/chat',
    calls: [
      { callee: /^cohere\.(Async)?Client(V2)?\(\)\.chat(_stream)?$/, output: true, slots: [{ kind: 'system', name: 'preamble' }, { kind: 'prompt', name: 'message' }, { kind: 'messages', name: 'messages' }] },
    ],
  },
  {
    sdk: 'mistralai',
    language: 'python',
    docs: 'https://docs.mistral.ai/api/',
    calls: [{ callee: /^mistralai(\.client)?\.Mistral(Client)?\(\)\.chat\.(complete|stream)(_async)?$/, output: true, slots: [{ kind: 'messages', name: 'messages' }] }],
  },
  {
    sdk: 'litellm',
    language: 'python',
    docs: 'https://docs.litellm.ai/docs/completion/input',
    calls: [{ callee: /^litellm(\.Router\(\))?\.a?completion$/, output: true, slots: [{ kind: 'messages', name: 'messages' }] }],
  },
  {
    sdk: 'openai-agents',
    language: 'python',
    docs: 'https://openai.github.io/openai-agents-python/agents/',
    calls: [
      { callee: /^agents\.Agent$/, slots: [{ kind: 'system', name: 'instructions' }] },
      { callee: /^agents\.Runner\.run(_sync|_streamed)?$/, output: true, slots: [{ kind: 'prompt', name: 'input', position: 1 }] },
    ],
  },
  {
    sdk: '@openai/agents',
    language: 'javascript',
    docs: 'https://openai.github.io/openai-agents-js/',
    calls: [
      { callee: /^@openai\/agents\.Agent$/, slots: [{ kind: 'system', name: 'instructions', position: 0 }] },
      { callee: /^@openai\/agents\.run$/, output: true, slots: [{ kind: 'prompt', position: 1 }] },
    ],
  },
];
