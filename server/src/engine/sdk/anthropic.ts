import type { SdkModel } from './types';

export const ANTHROPIC: SdkModel[] = [
  {
    sdk: 'anthropic',
    language: 'python',
    docs: 'https://docs.anthropic.com/en/api/messages',
    calls: [
      {
        callee: /^anthropic(\.(Async)?(Anthropic|AnthropicBedrock|AnthropicVertex)\(\))?\.(beta\.)?messages\.(create|stream)$/,
        fallback: /(^|\.)messages\.(create|stream)$/,
        output: true,
        slots: [
          { kind: 'system', name: 'system' },
          { kind: 'messages', name: 'messages' },
        ],
      },
    ],
  },
  {
    sdk: 'anthropic',
    language: 'javascript',
    docs: 'https://github.com/anthropics/anthropic-sdk-typescript',
    calls: [
      {
        callee: /^@anthropic-ai\/sdk(\.(default|Anthropic))?\(\)\.(beta\.)?messages\.(create|stream)$/,
        fallback: /(^|\.)messages\.(create|stream)$/,
        output: true,
        slots: [
          { kind: 'system', name: 'system', position: 0 },
          { kind: 'messages', name: 'messages', position: 0 },
        ],
      },
    ],
  },
];
