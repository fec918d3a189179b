// Shared by the prompt-injection rules: the pieces of a Python f-string or a JS template literal
// (what is literal text, what is interpolated), a delimiter tag named after an interpolated value,
// and layout-keeping edits: inserting an element into a list/array literal, adding an import.
import type { Node } from 'web-tree-sitter';
import type { TextEdit } from '../engine/types';
import { lineEndOf, lineStartOf, newlineOf } from '../engine/text/lines';

export type Piece =
  /** Literal text, as written in the source (escapes not decoded). */
  | { kind: 'text'; node: Node }
  /** `{expr}` / `${expr}`: `holder` is the whole interpolation, `expression` the value. */
  | { kind: 'value'; holder: Node; expression: Node };

export interface InterpolatedString {
  node: Node;
  /** The opening delimiter as written: `f"`, `rf"""`, `` ` ``. */
  open: Node;
  close: Node;
  pieces: Piece[];
}

/** A Python f-string or a JS template literal with at least one interpolation; undefined otherwise. */
export function interpolatedString(node: Node): InterpolatedString | undefined {
  const children = node.children.filter((c): c is Node => !!c);
  const open = children[0];
  const close = children[children.length - 1];
  if (!open || !close || children.length < 2) return undefined;
  const pieces: Piece[] = [];
  if (node.type === 'string' && open.type === 'string_start' && /f/i.test(open.text.replace(/["']+$/, ''))) {
    for (const c of children.slice(1, -1)) {
      if (c.type === 'interpolation') {
        const expression = c.namedChildren[0];
        if (!expression) return undefined;
        pieces.push({ kind: 'value', holder: c, expression });
      } else pieces.push({ kind: 'text', node: c });
    }
  } else if (node.type === 'template_string') {
    for (const c of children.slice(1, -1)) {
      if (c.type === 'template_substitution') {
        const expression = c.namedChildren.find((n) => n?.type !== 'comment');
        if (!expression) return undefined;
        pieces.push({ kind: 'value', holder: c, expression });
      } else pieces.push({ kind: 'text', node: c });
    }
  } else return undefined;
  return pieces.some((p) => p.kind === 'value') ? { node, open, close, pieces } : undefined;
}

/**
 * A tag name that says what an interpolated value is, for `<name>…</name>` delimiters:
 * `{context}` → context, `{doc.page_content}` → page_content, `{request.form["topic"]}` → topic.
 */
export function tagFor(expression: Node, fallback: string): string {
  const name = nameOf(expression, 0);
  const clean = name?.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  // One- and two-letter names (`q`, `s`) say nothing about the text.
  return clean && /^[a-z]/.test(clean) && clean.length > 2 ? clean : fallback;
}

function nameOf(node: Node, depth: number): string | undefined {
  if (depth > 4) return undefined;
  const first = (n: Node | null | undefined) => (n ? nameOf(n, depth + 1) : undefined);
  switch (node.type) {
    case 'identifier':
    case 'shorthand_property_identifier':
      return node.text;
    case 'attribute':
      return node.childForFieldName('attribute')?.text;
    case 'member_expression':
      return node.childForFieldName('property')?.text;
    case 'string': {
      const text = node.text.replace(/^[a-zA-Z]*["'`]+|["'`]+$/g, '');
      return /^[A-Za-z_][\w-]*$/.test(text) ? text : undefined;
    }
    case 'subscript':
      return first(node.childForFieldName('subscript')) ?? first(node.childForFieldName('value'));
    case 'subscript_expression':
      return first(node.childForFieldName('index')) ?? first(node.childForFieldName('object'));
    case 'call':
    case 'call_expression': {
      // `request.args.get("name")` → name; `"\n".join(docs)` → docs; `text.strip()` → text.
      const args = node.childForFieldName('arguments');
      const fn = node.childForFieldName('function');
      const receiver = fn?.type === 'attribute' || fn?.type === 'member_expression' ? fn.childForFieldName('object') : undefined;
      return first(args?.namedChildren[0]) ?? (receiver?.type === 'string' ? undefined : first(receiver));
    }
    case 'generator_expression':
    case 'list_comprehension': {
      const clause = node.namedChildren.find((c) => c?.type === 'for_in_clause');
      return first(clause?.childForFieldName('right'));
    }
    case 'await':
    case 'await_expression':
    case 'parenthesized_expression':
      return first(node.namedChildren[0]);
    default:
      return undefined;
  }
}

/** Distinct tag names for several values: context, context_2, … */
export function uniqueTags(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    return count === 1 ? n : `${n}_${count}`;
  });
}




/** The elements of a Python list or JS array literal (no comments). */
export function elementsOf(list: Node): Node[] {
  return list.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
}

export function isListLiteral(node: Node | null | undefined): node is Node {
  return node?.type === 'list' || node?.type === 'array';
}

/**
 * Edits that insert `text` as a new element of a list/array literal at `index` (0 = first,
 * elements.length = last), keeping the layout: one element per line stays one per line (with
 * the same indentation and trailing-comma style), an inline list stays inline.
 */
export function insertElement(list: Node, source: string, index: number, text: string): TextEdit[] {
  const items = elementsOf(list);
  const open = list.firstChild;
  if (!open || items.length === 0) return open ? [{ start: open.endIndex, end: open.endIndex, newText: text }] : [];
  const close = list.lastChild;
  const onePerLine = (close?.startPosition.row ?? 0) > items[items.length - 1].endPosition.row && /^[ \t]*$/.test(source.slice(lineStartOf(source, items[0].startIndex), items[0].startIndex));
  const nl = newlineOf(source);
  if (index < items.length) {
    const before = items[index];
    const indent = source.slice(lineStartOf(source, before.startIndex), before.startIndex);
    return [{ start: before.startIndex, end: before.startIndex, newText: onePerLine ? `${text},${nl}${indent}` : `${text}, ` }];
  }
  const last = items[items.length - 1];
  if (!onePerLine) return [{ start: last.endIndex, end: last.endIndex, newText: `, ${text}` }];
  const indent = source.slice(lineStartOf(source, last.startIndex), last.startIndex);
  // The new line goes after a comment that ends the last element's line: the comment is about it.
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const end = lineEndOf(source, (comma ?? last).endIndex);
  if (comma) return [{ start: end, end, newText: `${nl}${indent}${text},` }];
  if (end === last.endIndex) return [{ start: end, end, newText: `,${nl}${indent}${text}` }];
  return [
    { start: last.endIndex, end: last.endIndex, newText: ',' },
    { start: end, end, newText: `${nl}${indent}${text}` },
  ];
}

