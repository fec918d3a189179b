// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'gguf-chat-template-injection',
    group: 'model-files',
    title: 'GGUF chat template contains Jinja sandbox escapes',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [1336, 94],
    owasp: ['LLM03', 'LLM04'],
    confidence: 'high',
    references: [
      'https://github.com/ggml-org/ggml/blob/master/docs/gguf.md',
      'https://nvd.nist.gov/vuln/detail/CVE-2024-34359',
      'https://jinja.palletsprojects.com/en/stable/sandbox/',
      'https://cwe.mitre.org/data/definitions/1336.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
