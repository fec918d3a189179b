// Reported by the engine itself (engine/analyzer.ts) when a file's analysis runs out of its
// time budget (`time-budget-ms`), not by a syntax-tree query: this module carries the metadata.
import { defineRule } from '../../engine/rule';

export default defineRule({
  meta: {
    id: 'analysis-time-budget',
    group: 'analysis',
    title: 'File not fully analyzed within the time budget',
    severity: 'info',
    status: 'stable',
    fix: 'none',
    // Excessive code complexity / file size: what makes a file too slow to analyze.
    cwe: [1120, 1080],
    // An unanalyzed file is unverified input to the application's supply chain.
    owasp: ['LLM03'],
    confidence: 'high',
    references: ['https://cwe.mitre.org/data/definitions/1120.html', 'https://cwe.mitre.org/data/definitions/1080.html'],
  },
  languages: [],
});
