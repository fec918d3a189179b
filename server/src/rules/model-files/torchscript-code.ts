// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'torchscript-code',
    group: 'model-files',
    title: 'TorchScript archive contains code that runs when it is loaded',
    severity: 'info',
    status: 'stable',
    fix: 'none',
    cwe: [94, 502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://pytorch.org/docs/stable/jit.html',
      'https://pytorch.org/docs/stable/generated/torch.jit.load.html',
      'https://cwe.mitre.org/data/definitions/94.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
