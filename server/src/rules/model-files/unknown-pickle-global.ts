// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'unknown-pickle-global',
    group: 'model-files',
    title: 'Pickle in a model file imports something outside the data-type allow-list',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'medium',
    references: [
      'https://pytorch.org/docs/stable/generated/torch.load.html',
      'https://docs.python.org/3/library/pickle.html#restricting-globals',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
