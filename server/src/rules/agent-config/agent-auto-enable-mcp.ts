import { defineRule, type TextDetection } from '../../engine/rule';
import type { Fix } from '../../engine/types';
import { asString, configDocument, entryOf, stringItems, get } from '../config-files';
import { agentFileOf, isSharedClaudeSettings } from './lib/agent-files';

interface State extends TextDetection {
  shared: boolean;
  /** Servers already approved one by one in `enabledMcpjsonServers`, for the message. */
  listed: string[];
  value: { start: number; end: number };
}

export default defineRule<State>({
  meta: {
    id: 'agent-auto-enable-mcp',
    group: 'agent-config',
    title: "Claude Code starts every MCP server in the project's .mcp.json without asking",
    severity: 'warning',
    status: 'stable',
    fix: 'safe',
    cwe: [829, 862],
    owasp: ['LLM06', 'LLM03'],
    confidence: 'high',
    references: [
      'https://docs.anthropic.com/en/docs/claude-code/settings#settings-files',
      'https://docs.anthropic.com/en/docs/claude-code/mcp#project-scope',
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
      'https://cwe.mitre.org/data/definitions/829.html',
    ],
  },
  languages: ['json'],
  fileKinds: ['perm'],
  checkFile(ctx) {
    if (agentFileOf(ctx.path) !== 'claude-settings') return undefined;
    const doc = configDocument(ctx);
    const entry = doc && entryOf(doc.root, 'enableAllProjectMcpServers');
    if (!entry || entry.value.kind !== 'boolean' || !entry.value.value) return undefined;
    const shared = isSharedClaudeSettings(ctx.path);
    return {
      range: { start: entry.keyRange.start, end: entry.value.range.end },
      shared,
      listed: stringItems(get(doc.root, 'enabledMcpjsonServers')).map((s) => asString(s)!.value),
      value: entry.value.range,
      confidence: shared ? 'high' : 'medium',
    };
  },
  message(s) {
    const scope = s.shared ? 'This shared Claude Code settings file sets' : 'These personal Claude Code settings set';
    const alternative = s.listed.length > 0 ? ` \`enabledMcpjsonServers\` already names ${s.listed.map((n) => `"${n}"`).join(', ')}: approve servers that way, one by one.` : ' Approve the servers you use one by one in `enabledMcpjsonServers` instead.';
    return `${scope} \`enableAllProjectMcpServers: true\`: every server in the project's \`.mcp.json\` starts without the approval prompt — including one added by a pull request, a dependency's post-install script or a prompt-injected agent edit — and runs with your user's access.${alternative}`;
  },
  fixes(s): Fix[] {
    return [{ title: 'Set enableAllProjectMcpServers to false', applicability: 'safe', edits: [{ ...s.value, newText: 'false' }] }];
  },
});
