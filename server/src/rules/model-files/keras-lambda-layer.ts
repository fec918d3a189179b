// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'keras-lambda-layer',
    group: 'model-files',
    title: 'Keras model config carries code that runs on load',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [502, 94],
    owasp: ['LLM03', 'LLM04'],
    confidence: 'high',
    references: [
      'https://keras.io/api/layers/core_layers/lambda/',
      'https://keras.io/api/models/model_saving_apis/model_saving_and_loading/',
      'https://nvd.nist.gov/vuln/detail/CVE-2024-3660',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
