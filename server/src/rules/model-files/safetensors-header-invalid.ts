// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'safetensors-header-invalid',
    group: 'model-files',
    title: 'safetensors header is not what the reference loader accepts',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [20, 502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://github.com/huggingface/safetensors#format',
      'https://huggingface.co/docs/safetensors/index',
      'https://cwe.mitre.org/data/definitions/20.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
