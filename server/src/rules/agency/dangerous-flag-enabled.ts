import type { Node } from 'web-tree-sitter';
import { defineRule, replaceNode, type Detection, type RuleContext } from '../../engine/rule';
import type { Fix, TextEdit } from '../../engine/types';
import { isPython } from '../llm';
import { removeItem } from '../python-edits';
import { AI_CODE } from '../prefilters';

/** What each opt-in switch unlocks, for the message. */
const UNLOCKS: Record<string, string> = {
  allow_dangerous_code: 'lets the agent run Python code the model writes (the pandas, CSV, Spark and Python agents execute it in this process)',
  allow_dangerous_requests: 'lets the chain send requests or queries the model writes (RequestsToolkit, OpenAPI agents, graph QA chains writing Cypher/SPARQL)',
  allow_dangerous_tools: 'lets `load_tools` load tools that run shell commands or send arbitrary HTTP requests',
  allowDangerousRequests: 'lets the chain send requests or queries the model writes (graph QA chains writing Cypher/SPARQL, request tools)',
};

interface State extends Detection {
  flag: string;
  /** The keyword argument, dict/object pair, or shorthand property. */
  item: Node;
  /** The switch's value expression (the identifier itself for a JS shorthand). */
  value: Node;
  /** The value is not a literal (a setting, an environment variable): the switch may be on. */
  dynamic: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'dangerous-flag-enabled',
    group: 'agency',
    title: "LangChain's opt-in for dangerous code execution or requests is switched on",
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [94, 918],
    owasp: ['LLM06'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm062025-excessive-agency/',
      'https://python.langchain.com/docs/security/',
      'https://python.langchain.com/api_reference/experimental/agents/langchain_experimental.agents.agent_toolkits.pandas.base.create_pandas_dataframe_agent.html',
      'https://cwe.mitre.org/data/definitions/94.html',
      'https://cwe.mitre.org/data/definitions/918.html',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { name, value, item } }, ctx) {
    if (!name || !item) return undefined;
    // The shorthand `{ allowDangerousRequests }` reads a variable of that name.
    const switchValue = value ?? item;
    const literal = isPython(ctx) ? ctx.python.literal(switchValue) : ctx.javascript.literal(switchValue);
    // False, None/null/undefined, 0 and "" keep the switch off.
    if (literal && !literal.value) return undefined;
    // A wrapper forwarding its own parameter (`allow_dangerous_code=allow_dangerous_code`) does
    // not decide: its callers do, and a caller passing True by keyword is flagged there.
    if (!literal && isParameter(ctx, switchValue)) return undefined;
    return { node: item, flag: name.text, item, value: switchValue, dynamic: !literal, confidence: literal ? undefined : 'medium' };
  },
  message(s) {
    const how = s.dynamic ? `\`${s.flag}\` is set from \`${short(s.value.text)}\`, which may switch it on` : `\`${s.flag}\` is switched on`;
    return `${how}: it ${UNLOCKS[s.flag] ?? 'unlocks a dangerous capability'}. Anyone who can put text in front of the model (a prompt injection in a document, a page, a tool result) then chooses what runs. Leave it off and give the agent narrow tools; if code must run, run it in a sandbox with no secrets and no network.`;
  },
  fixes(s, ctx) {
    const off = isPython(ctx) ? 'False' : 'false';
    const set: TextEdit = s.item.type === 'shorthand_property_identifier' ? replaceNode(s.item, `${s.flag}: false`) : replaceNode(s.value, off);
    const fixes: Fix[] = [{ title: `Set ${s.flag} to ${off}`, applicability: 'unsafe', edits: [set] }];
    const removal = removeItem(s.item, ctx.text);
    if (removal) fixes.push({ title: `Remove ${s.flag} (it defaults to off)`, applicability: 'unsafe', edits: [removal] });
    return fixes;
  },
});

function isParameter(ctx: RuleContext, node: Node): boolean {
  if (node.type !== 'identifier' && node.type !== 'shorthand_property_identifier') return false;
  const scopes = isPython(ctx) ? ctx.python.scopes : ctx.javascript.scopes;
  return scopes.scopeAt(node).lookup(node.text, node.startIndex)?.kind === 'param';
}

function short(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > 40 ? `${flat.slice(0, 37)}…` : flat;
}
