import type { SdkModel } from './types';

// Python: OpenAI(), AsyncOpenAI(), AzureOpenAI(), AsyncAzureOpenAI() clients, or the module-level client.
const PY_CLIENT = String.raw`openai(\.(Async)?(Azure)?OpenAI\(\))?`;
// JS: `new OpenAI()` from "openai" (default import is the module itself), or `new AzureOpenAI()`.
const JS_CLIENT = String.raw`openai(\.(default|OpenAI|AzureOpenAI))?\(\)`;

export const OPENAI: SdkModel[] = [
  {
    sdk: 'openai',
    language: 'python',
    docs: 'https://platform.openai.com/docs/api-reference',
    calls: [
      {
        callee: new RegExp(String.raw`^${PY_CLIENT}\.(beta\.)?chat\.completions\.(create|parse|stream)$`),
        fallback: /(^|\.)chat\.completions\.(create|parse|stream)$/,
        output: true,
        slots: [{ kind: 'messages', name: 'messages' }],
      },
      {
        callee: new RegExp(String.raw`^${PY_CLIENT}\.responses\.(create|parse|stream)$`),
        fallback: /(^|\.)responses\.(create|parse|stream)$/,
        output: true,
        slots: [
          { kind: 'system', name: 'instructions' },
          { kind: 'prompt', name: 'input' },
        ],
      },
      { callee: new RegExp(String.raw`^${PY_CLIENT}\.beta\.assistants\.(create|update)$`), slots: [{ kind: 'system', name: 'instructions' }] },
      { callee: new RegExp(String.raw`^${PY_CLIENT}\.beta\.threads\.runs\.(create|create_and_poll|stream)$`), output: true, slots: [{ kind: 'system', name: 'instructions' }, { kind: 'system', name: 'additional_instructions' }] },
      { callee: new RegExp(String.raw`^${PY_CLIENT}\.completions\.create$`), output: true, slots: [{ kind: 'prompt', name: 'prompt' }] },
      { callee: /^openai\.ChatCompletion\.a?create$/, output: true, slots: [{ kind: 'messages', name: 'messages' }] },
    ],
  },
  {
    sdk: 'openai',
    language: 'javascript',
    docs: 'https://github.com/openai/openai-node',
    calls: [
      {
        callee: new RegExp(String.raw`^${JS_CLIENT}\.(beta\.)?chat\.completions\.(create|parse|stream)$`),
        fallback: /(^|\.)chat\.completions\.(create|parse|stream)$/,
        output: true,
        slots: [{ kind: 'messages', name: 'messages', position: 0 }],
      },
      {
        callee: new RegExp(String.raw`^${JS_CLIENT}\.responses\.(create|parse|stream)$`),
        fallback: /(^|\.)responses\.(create|parse|stream)$/,
        output: true,
        slots: [
          { kind: 'system', name: 'instructions', position: 0 },
          { kind: 'prompt', name: 'input', position: 0 },
        ],
      },
      { callee: new RegExp(String.raw`^${JS_CLIENT}\.beta\.assistants\.(create|update)$`), slots: [{ kind: 'system', name: 'instructions', position: 0 }] },
    ],
  },
];
