import { defineRule, type TextDetection } from '../../engine/rule';
import type { RelatedLocation } from '../../engine/types';
import { configDocument, mcpServersOf, type McpServer } from '../config-files';
import { capabilityOf, type Leg } from './lib/catalog';

interface Holder {
  server: string;
  label: string;
}

interface State extends TextDetection {
  untrusted: Holder[];
  private: Holder[];
  sink: Holder[];
}

export default defineRule<State>({
  meta: {
    id: 'mcp-toxic-flow',
    group: 'agent-config',
    title: 'One MCP configuration combines untrusted input, private data and a way out (the lethal trifecta)',
    severity: 'warning',
    status: 'stable',
    fix: 'none',
    cwe: [1427],
    owasp: ['LLM06', 'LLM01'],
    confidence: 'medium',
    references: [
      'https://simonwillison.net/2025/Jun/16/the-lethal-trifecta/',
      'https://invariantlabs.ai/blog/mcp-github-vulnerability',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://genai.owasp.org/llmrisk/llm01-prompt-injection/',
      'https://cwe.mitre.org/data/definitions/1427.html',
    ],
  },
  languages: ['json', 'toml'],
  fileKinds: ['mcp', 'perm'],
  checkFile(ctx) {
    const doc = configDocument(ctx);
    if (!doc) return undefined;
    const legs: Record<Leg, { server: McpServer; label: string }[]> = { untrusted: [], private: [], sink: [] };
    const involved = new Set<McpServer>();
    for (const server of mcpServersOf(doc, ctx.path)) {
      // A disabled server gives the agent nothing until someone turns it on.
      if (server.disabled) continue;
      const capability = capabilityOf(server);
      if (!capability) continue;
      involved.add(server);
      for (const leg of capability.legs) legs[leg].push({ server, label: capability.label });
    }
    // One server holding all three legs is that server's own design (and a finding about it alone
    // would fire on every GitHub user); the configuration is at fault when it joins servers into one.
    if (legs.untrusted.length === 0 || legs.private.length === 0 || legs.sink.length === 0 || involved.size < 2) return undefined;
    const anchor = legs.untrusted[0].server;
    const holders = (leg: Leg) => legs[leg].map((h) => ({ server: h.server.name, label: h.label }));
    const related: RelatedLocation[] = [...involved]
      .filter((s) => s !== anchor)
      .map((s) => ({
        path: ctx.path,
        range: s.nameRange,
        message: `"${s.name}" (${capabilityOf(s)!.label}): ${capabilityOf(s)!.legs.map((l) => LEG_WORDS[l]).join(', ')}`,
      }));
    return { range: anchor.nameRange, untrusted: holders('untrusted'), private: holders('private'), sink: holders('sink'), related };
  },
  message(s) {
    const list = (hs: Holder[]) => [...new Map(hs.map((h) => [h.server, h])).values()].map((h) => `"${h.server}" (${h.label})`).join(', ');
    return `This MCP configuration gives one agent all three legs of the lethal trifecta: untrusted input (${list(s.untrusted)}); private data (${list(s.private)}); a way to send data out (${list(s.sink)}). One prompt injection in content the agent reads can make it collect private data and send it out, with no bug in any server. Split these servers across separate agents or profiles, or drop one leg.`;
  },
});

const LEG_WORDS: Record<Leg, string> = { untrusted: 'reads untrusted input', private: 'reaches private data', sink: 'can send data out' };
