// Reported by the model-file scanner (server/src/modelfiles), not by a syntax-tree query:
// this module carries the rule's metadata; its docs live beside it.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'malformed-model-file',
    group: 'model-files',
    title: 'Model file is corrupt, truncated or disguised in a way loaders tolerate',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [502, 20],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://docs.python.org/3/library/pickletools.html',
      'https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT',
      'https://www.reversinglabs.com/blog/rl-identifies-malware-ml-model-hosted-on-hugging-face',
      'https://cwe.mitre.org/data/definitions/20.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: [],
});
