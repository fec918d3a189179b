import type { SdkModel } from './types';

export const VERCEL_AI: SdkModel[] = [
  {
    sdk: 'ai (Vercel AI SDK)',
    language: 'javascript',
    docs: 'https://ai-sdk.dev/docs/ai-sdk-core/generating-text',
    calls: [
      {
        callee: /^ai\.(generateText|streamText|generateObject|streamObject)$/,
        output: true,
        slots: [
          { kind: 'system', name: 'system', position: 0 },
          { kind: 'prompt', name: 'prompt', position: 0 },
          { kind: 'messages', name: 'messages', position: 0 },
        ],
      },
    ],
  },
];
