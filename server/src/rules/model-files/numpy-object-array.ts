// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'numpy-object-array',
    group: 'model-files',
    title: 'NumPy file holds an object array, which is a pickle',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://numpy.org/doc/stable/reference/generated/numpy.load.html',
      'https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
