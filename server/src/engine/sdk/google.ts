import type { SdkModel } from './types';

export const GOOGLE: SdkModel[] = [
  {
    sdk: 'google-generativeai / google-genai',
    language: 'python',
    docs: 'https://ai.google.dev/gemini-api/docs/system-instructions',
    calls: [
      // The older SDK takes the system instruction when the model object is built.
      { callee: /^google\.generativeai\.GenerativeModel$/, slots: [{ kind: 'system', name: 'system_instruction' }] },
      { callee: /^google\.generativeai\.GenerativeModel\(\)\.generate_content(_async)?$/, output: true, slots: [{ kind: 'prompt', name: 'contents', position: 0 }] },
      // google-genai: the system instruction travels in the request config.
      { callee: /^google\.genai\.types\.GenerateContentConfig$/, slots: [{ kind: 'system', name: 'system_instruction' }] },
      { callee: /^google\.genai\.Client\(\)\.(aio\.)?models\.generate_content(_stream)?$/, fallback: /(^|\.)models\.generate_content(_stream)?$/, output: true, slots: [{ kind: 'prompt', name: 'contents' }] },
      { callee: /^vertexai\.generative_models\.GenerativeModel$/, slots: [{ kind: 'system', name: 'system_instruction' }] },
      { callee: /^vertexai\.generative_models\.GenerativeModel\(\)\.generate_content(_async)?$/, output: true, slots: [{ kind: 'prompt', name: 'contents', position: 0 }] },
    ],
  },
  {
    sdk: '@google/generative-ai / @google/genai',
    language: 'javascript',
    docs: 'https://ai.google.dev/gemini-api/docs/system-instructions',
    calls: [
      { callee: /^@google\/generative-ai\.GoogleGenerativeAI\(\)\.getGenerativeModel$/, slots: [{ kind: 'system', name: 'systemInstruction', position: 0 }] },
      { callee: /^@google\/generative-ai\.GoogleGenerativeAI\(\)\.getGenerativeModel\(\)\.generateContent(Stream)?$/, output: true, slots: [{ kind: 'prompt', position: 0 }] },
      { callee: /^@google\/genai\.GoogleGenAI\(\)\.models\.generateContent(Stream)?$/, fallback: /(^|\.)models\.generateContent(Stream)?$/, output: true, slots: [{ kind: 'prompt', name: 'contents', position: 0 }] },
    ],
  },
];
