import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection } from '../../engine/rule';
import { resolveTarget } from '../python-helpers';
import { removeKeywordArgument } from '../python-edits';

const FLAG = 'allow_dangerous_deserialization';

// The flag only exists on LangChain loaders that fall back to pickle (FAISS/Annoy/ScaNN
// load_local, TFIDFRetriever.load_local, the Databricks LLM, ...), so any LangChain callee is in scope.
const isLangChain = (name: string) => /^langchain(_\w+)?\./.test(name);

interface State extends Detection {
  name: string;
  /** The `allow_dangerous_deserialization=...` argument when written in the call itself. */
  keyword?: Node;
  dynamic: boolean;
}

export default defineRule<State>({
  meta: {
    id: 'vectorstore-unsafe-load',
    group: 'deserialization',
    title: 'LangChain load with allow_dangerous_deserialization enabled',
    severity: 'error',
    status: 'stable',
    fix: 'unsafe',
    cwe: [502],
    owasp: ['LLM03'],
    confidence: 'high',
    references: [
      'https://github.com/langchain-ai/langchain/blob/master/SECURITY.md',
      'https://reference.langchain.com/python/langchain-community/vectorstores/faiss/FAISS/load_local',
      'https://cwe.mitre.org/data/definitions/502.html',
      'https://genai.owasp.org/llmrisk/llm032025-supply-chain/',
    ],
  },
  languages: ['python'],
  requires: /allow_dangerous_deserialization/,
  check(match, ctx) {
    const target = resolveTarget(match, ctx, isLangChain);
    if (!target?.call) return undefined;
    const value = ctx.python.callArguments(target.call).keywords.get(FLAG);
    if (!value) return undefined;
    const literal = ctx.python.literal(value);
    if (literal && !literal.value) return undefined;
    const args = target.call.childForFieldName('arguments');
    const keyword = value.parent?.type === 'keyword_argument' && value.parent.parent?.id === args?.id ? value.parent : undefined;
    return { node: target.call, name: target.name, keyword, dynamic: !literal, confidence: literal ? undefined : 'medium' };
  },
  message(s) {
    const how = s.dynamic ? `may be called with \`${FLAG}\` enabled` : `is called with \`${FLAG}=True\``;
    return `\`${s.name}\` ${how}, which turns off LangChain's refusal to unpickle stored data: a crafted index or file runs arbitrary code when it is loaded. Load only files your own pipeline wrote to storage nobody else can change, or rebuild the index from the source documents.`;
  },
  fixes(s, ctx) {
    // Through a `**{...}` dict the flag may be shared with other calls: leave that to a person.
    if (!s.keyword) return [];
    const edits = removeKeywordArgument(s.node, s.keyword.childForFieldName('value')!, ctx.text);
    return edits ? [{ title: `Remove ${FLAG}`, applicability: 'unsafe', edits }] : [];
  },
});
