// Text edits on Python call arguments that keep the code's layout: a one-line call stays on one
// line, a call with one argument per line gets a new line, trailing-comma style is kept, and a
// removed argument takes its comma (or its whole line) with it, so the result is still valid Python.
import type { Node } from 'web-tree-sitter';
import type { RuleContext } from '../engine/rule';
import type { TextEdit } from '../engine/types';
import { lineEndOf, lineStartOf, newlineOf, startsLine } from '../engine/text/lines';

/** The comma-separated items of an argument list or a dict display, without comments. */
function itemsOf(container: Node): Node[] {
  return container.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
}



function lineBreakAt(source: string, offset: number): string {
  return source.startsWith('\r\n', offset) ? '\r\n' : source[offset] === '\n' ? '\n' : '';
}


/** Whether `inner` lies within `outer` (so an edit to it stays inside the flagged call). */
export function isWithin(inner: Node, outer: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/**
 * Edits that append `argument` (e.g. `weights_only=True`) as the last argument of `call`.
 * Undefined when the call has no plain argument list (a generator argument, broken code).
 */
export function addArgument(call: Node, source: string, argument: string): TextEdit[] | undefined {
  const list = call.childForFieldName('arguments');
  const open = list?.firstChild;
  const close = list?.lastChild;
  if (!list || list.type !== 'argument_list' || open?.type !== '(' || close?.type !== ')') return undefined;
  const last = itemsOf(list).at(-1);
  if (!last) return [{ start: open.endIndex, end: open.endIndex, newText: argument }];

  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const tail = comma ?? last;
  const onePerLine = close.startPosition.row > tail.endPosition.row && startsLine(source, last.startIndex);
  // Inline: a trailing comma, if any, stays after the new argument.
  if (!onePerLine) return [{ start: last.endIndex, end: last.endIndex, newText: `, ${argument}` }];

  // One argument per line: a new line after the last one (and after any comment ending that line).
  const indent = source.slice(lineStartOf(source, last.startIndex), last.startIndex);
  const lineEnd = lineEndOf(source, tail.endIndex);
  const newLine = `${lineBreakAt(source, lineEnd) || '\n'}${indent}${argument}`;
  if (comma) return [{ start: lineEnd, end: lineEnd, newText: `${newLine},` }];
  if (lineEnd === last.endIndex) return [{ start: lineEnd, end: lineEnd, newText: `,${newLine}` }];
  return [
    { start: last.endIndex, end: last.endIndex, newText: ',' },
    { start: lineEnd, end: lineEnd, newText: newLine },
  ];
}

/**
 * An edit that removes one item (a `keyword=value` argument, or a `"key": value` pair of a dict
 * display) with its separating comma. An item alone on its line loses the whole line, including
 * a comment after it, since such a comment is about the removed item.
 */
export function removeItem(item: Node, source: string): TextEdit | undefined {
  const container = item.parent;
  if (!container) return undefined;
  const items = itemsOf(container);
  const at = items.findIndex((n) => n.id === item.id);
  if (at < 0) return undefined;
  const prev = items[at - 1];
  const next = items[at + 1];

  const comma = item.nextSibling?.type === ',' ? item.nextSibling : undefined;
  const end = comma?.endIndex ?? item.endIndex;
  const lineEnd = lineEndOf(source, end);
  if (startsLine(source, item.startIndex) && /^[ \t]*(#.*)?$/.test(source.slice(end, lineEnd))) {
    return { start: lineStartOf(source, item.startIndex), end: lineEnd + lineBreakAt(source, lineEnd).length, newText: '' };
  }
  // Taking the comma before the item would also take a comment that belongs to the previous line.
  const commentBefore = container.namedChildren.some((c) => c?.type === 'comment' && prev && c.startIndex >= prev.endIndex && c.endIndex <= item.startIndex);
  if (prev && !commentBefore) return { start: prev.endIndex, end: item.endIndex, newText: '' };
  if (next) return { start: item.startIndex, end: next.startIndex, newText: '' };
  return { start: item.startIndex, end, newText: '' };
}

/**
 * Edits that replace the value of a keyword argument (as `PythonFacts.callArguments` found it)
 * with `newText`; undefined when the value lives outside the call, e.g. in a dict bound to a
 * variable and splatted with `**`, since editing it there could change other calls.
 */
export function replaceArgumentValue(call: Node, value: Node, newText: string): TextEdit[] | undefined {
  return isWithin(value, call) ? [{ start: value.startIndex, end: value.endIndex, newText }] : undefined;
}

/**
 * Edits that remove a keyword argument given its value (as `PythonFacts.callArguments` found
 * it): `key=value`, or the `"key": value` pair of a `**{...}` in the call (the whole `**{...}`
 * when nothing else is left in it). Undefined when the value lives outside the call.
 */
export function removeKeywordArgument(call: Node, value: Node, source: string): TextEdit[] | undefined {
  const item = value.parent;
  if (!item || !isWithin(item, call) || (item.type !== 'keyword_argument' && item.type !== 'pair')) return undefined;
  const dict = item.type === 'pair' ? item.parent : undefined;
  const splat = dict?.parent;
  const edit = removeItem(dict && splat?.type === 'dictionary_splat' && itemsOf(dict).length === 1 ? splat : item, source);
  return edit && [edit];
}

/**
 * The edit that adds `import <module>` to a Python file, unless the file already imports it.
 * New import lines are written by replacing the last top-level import (or the module docstring)
 * with itself plus the line, so the identical edits of several findings overlap and apply once.
 */
export function ensureImport(ctx: RuleContext, module: string): TextEdit[] {
  const statements = ctx.tree.rootNode.namedChildren.filter((c): c is Node => !!c);
  if (statements.some((s) => s.type === 'import_statement' && s.namedChildren.some((n) => n?.text === module))) return [];
  return addImportLine(ctx, `import ${module}`);
}

/**
 * The edit that makes `from <module> import <name>` available: nothing when `name` is already
 * imported; else added to an existing `from <module> import …`, or a new import line.
 */
export function ensureFromImport(ctx: RuleContext, module: string, name: string): TextEdit[] {
  const statements = ctx.tree.rootNode.namedChildren.filter((c): c is Node => !!c);
  const froms = statements.filter((s) => s.type === 'import_from_statement');
  const imported = (s: Node) => s.childrenForFieldName('name').filter((n): n is Node => !!n);
  if (froms.some((s) => imported(s).some((n) => n.type === 'dotted_name' && n.text === name))) return [];
  const same = froms.find((s) => s.childForFieldName('module_name')?.text === module && imported(s).length > 0);
  if (same) {
    const last = imported(same)[imported(same).length - 1];
    return [{ start: last.startIndex, end: last.endIndex, newText: `${last.text}, ${name}` }];
  }
  return addImportLine(ctx, `from ${module} import ${name}`);
}

function addImportLine(ctx: RuleContext, line: string): TextEdit[] {
  const statements = ctx.tree.rootNode.namedChildren.filter((c): c is Node => !!c);
  const nl = newlineOf(ctx.text);
  const imports = statements.filter((s) => s.type === 'import_statement' || s.type === 'import_from_statement' || s.type === 'future_import_statement');
  const anchor = imports[imports.length - 1];
  if (anchor) return [{ start: anchor.startIndex, end: anchor.endIndex, newText: `${anchor.text}${nl}${line}` }];
  const first = statements[0];
  const docstring = first?.type === 'expression_statement' && first.namedChildren[0]?.type === 'string' ? first : undefined;
  return docstring ? [{ start: docstring.startIndex, end: docstring.endIndex, newText: `${docstring.text}${nl}${line}` }] : [{ start: 0, end: 0, newText: `${line}${nl}` }];
}
