import type { Node } from 'web-tree-sitter';
import { defineRule, type Detection, type RuleContext } from '../../engine/rule';
import type { TextEdit } from '../../engine/types';
import { resolveTarget } from '../python-helpers';

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
    return [{ title: `Remove ${FLAG}`, applicability: 'unsafe', edits: removeArgument(s.keyword, ctx) }];
  },
});

/** Deletes one argument and the comma that separates it, leaving a valid argument list. */
function removeArgument(arg: Node, ctx: RuleContext): TextEdit[] {
  const text = ctx.text;
  const lineStart = text.lastIndexOf('\n', arg.startIndex - 1) + 1;
  const newline = text.indexOf('\n', arg.endIndex);
  const lineEnd = newline === -1 ? text.length : newline;
  // Alone on its line (the usual multi-line call): drop the whole line with its trailing comma.
  const aloneOnLine =
    /^[ \t]*$/.test(text.slice(lineStart, arg.startIndex)) &&
    /^[ \t]*,?[ \t]*(#[^\r]*)?\r?$/.test(text.slice(arg.endIndex, lineEnd)) &&
    !/^\s*,/.test(text.slice(lineEnd)); // leading-comma style puts the separator on the next line
  if (aloneOnLine) {
    return [{ start: lineStart, end: newline === -1 ? lineEnd : newline + 1, newText: '' }];
  }
  const siblings = (arg.parent?.namedChildren ?? []).filter((n): n is Node => !!n && n.type !== 'comment');
  const i = siblings.findIndex((n) => n.id === arg.id);
  const next = siblings[i + 1];
  if (next) return [{ start: arg.startIndex, end: next.startIndex, newText: '' }];
  const previous = siblings[i - 1];
  if (previous) {
    // Keep a comment between the two arguments: drop only the separating comma and the argument.
    let comma = arg.previousSibling;
    while (comma && comma.type !== ',') comma = comma.previousSibling;
    if (comma && text.slice(previous.endIndex, arg.startIndex).includes('#')) {
      return [
        { start: comma.startIndex, end: comma.endIndex, newText: '' },
        { start: arg.startIndex, end: arg.endIndex, newText: '' },
      ];
    }
    return [{ start: previous.endIndex, end: arg.endIndex, newText: '' }];
  }
  // The only argument: take a trailing comma with it.
  const rest = /^\s*,/.exec(text.slice(arg.endIndex));
  return [{ start: arg.startIndex, end: arg.endIndex + (rest ? rest[0].length : 0), newText: '' }];
}
