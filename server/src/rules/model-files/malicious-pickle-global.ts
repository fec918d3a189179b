// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'malicious-pickle-global',
    group: 'model-files',
    title: 'Pickle in a model file imports a callable that runs code',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [502, 94],
    owasp: ['LLM03', 'LLM04'],
    confidence: 'high',
    references: [
      'https://docs.python.org/3/library/pickle.html',
      'https://pytorch.org/docs/stable/notes/serialization.html',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/',
    ],
  },
  languages: [],
});
