import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintQuery } from '../../engine/taint/types';
import type { Fix } from '../../engine/types';
import { fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { htmlSinkAt, markdownRenderIn, type HtmlSink } from '../output-sinks';
import { ensureImport } from '../python-edits';
import { AI_CODE } from '../prefilters';

const QUERY: TaintQuery = { labels: ['llm-output'], sanitizers: ['html', 'number'] };

interface State extends TaintedValue {
  sink: HtmlSink;
}

/**
 * Whether the value is (or is a variable holding) an expression with markup of the developer's
 * own (`f"<p>{x}</p>"`, `x.replace("\n", "<br>")`): shown as text, their tags would show too.
 */
function buildsMarkup(ctx: RuleContext, value: Node): boolean {
  const def = isPython(ctx) ? ctx.python.definition(value) : ctx.javascript.definition(value);
  return def.text.includes('<');
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-html',
    group: 'output-handling',
    title: 'Model output is inserted into a page as HTML',
    severity: 'error',
    status: 'stable',
    fix: 'safe',
    cwe: [79],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/79.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html',
      'https://github.com/cure53/DOMPurify',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check(match, ctx) {
    const sink = htmlSinkAt(match, ctx);
    if (!sink) return undefined;
    const found = taintedAt(ctx, sink.value, QUERY, sink.node);
    // Rendered markdown is llm-output-markdown-exfiltration's: it knows which renderers escape HTML.
    if (!found || markdownRenderIn(ctx, found.path)) return undefined;
    return { ...found, sink, confidence: sink.confidence };
  },
  message(s, ctx) {
    const template = /render_template_string$/.test(s.sink.sink) ? ' As a Jinja template source it can also run code on the server.' : '';
    const instead = isPython(ctx) ? 'escape it (`markupsafe.escape`, `html.escape`) or sanitize it (bleach, nh3)' : 'set it as text (`textContent`, `.text()`) or sanitize it (DOMPurify)';
    return `Model output reaches \`${s.sink.sink}\` as HTML (${fromSource(s.path)}): a prompt injection can make the model write \`<img src=x onerror=…>\` or a fake login form into your users' page.${template} Instead, ${instead}.`;
  },
  fixes(s, ctx): Fix[] {
    if (buildsMarkup(ctx, s.value)) return [];
    return isPython(ctx) ? pythonFixes(s, ctx) : javascriptFixes(s);
  },
});

function javascriptFixes(s: State): Fix[] {
  const node = s.node;
  const safe = (title: string, edits: Fix['edits']): Fix[] => [{ title, applicability: 'safe', edits }];
  if (s.sink.sink === 'innerHTML' && node.type === 'assignment_expression') {
    const property = node.childForFieldName('left')?.childForFieldName('property');
    return property ? safe('Set textContent (shows the text, runs no markup)', [{ start: property.startIndex, end: property.endIndex, newText: 'textContent' }]) : [];
  }
  if (s.sink.sink === 'innerHTML' && node.type === 'augmented_assignment_expression' && node.parent?.type === 'expression_statement') {
    // `el.textContent += x` would flatten the element's children; appending a text node does not.
    const target = node.childForFieldName('left')?.childForFieldName('object');
    return target ? safe("Append as text (insertAdjacentText('beforeend', …))", [{ start: node.startIndex, end: node.endIndex, newText: `${target.text}.insertAdjacentText('beforeend', ${s.value.text})` }]) : [];
  }
  const callee = node.type === 'call_expression' ? node.childForFieldName('function') : undefined;
  const method = callee?.type === 'member_expression' ? callee.childForFieldName('property') : undefined;
  if (method?.text === 'insertAdjacentHTML') return safe('Use insertAdjacentText', [{ start: method.startIndex, end: method.endIndex, newText: 'insertAdjacentText' }]);
  if (method?.text === 'html' && s.sink.sink.startsWith('jQuery')) return safe('Use jQuery .text()', [{ start: method.startIndex, end: method.endIndex, newText: 'text' }]);
  return [];
}

function pythonFixes(s: State, ctx: RuleContext): Fix[] {
  const callee = s.node.childForFieldName('function');
  // Only `Markup(x)` itself: escape(x) returns the same Markup type with the text escaped.
  if (!callee || !/^(markupsafe|flask|jinja2)\.Markup$/.test(s.sink.sink) || s.value.parent?.parent?.id !== s.node.id) return [];
  const edits = [{ start: callee.startIndex, end: callee.endIndex, newText: 'markupsafe.escape' }, ...ensureImport(ctx, 'markupsafe')];
  return [{ title: 'Use markupsafe.escape (shows the text, runs no markup)', applicability: 'safe', edits }];
}
