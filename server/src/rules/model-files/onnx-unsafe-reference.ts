// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'onnx-unsafe-reference',
    group: 'model-files',
    title: 'ONNX model references custom operators or files outside the model',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [22, 829],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://onnx.ai/onnx/repo-docs/ExternalData.html',
      'https://nvd.nist.gov/vuln/detail/CVE-2022-25882',
      'https://onnxruntime.ai/docs/extensions/',
      'https://cwe.mitre.org/data/definitions/22.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
