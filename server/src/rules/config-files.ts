// A positioned view of agent configuration files — JSON/JSONC (from the tree-sitter tree) and the
// TOML subset agent configs use (read here line by line: TOML has no grammar) — and a normalised
// list of the MCP servers they declare, whatever the client's shape. Rules about MCP configs and
// agent permission files ask this one module, so "where is the server's command" has one answer
// and every finding and fix lands on exact offsets (UTF-16, like every offset in the engine).
//
// Nothing here executes or resolves anything: values are read as written.
import type { Node } from 'web-tree-sitter';
import type { RuleContext } from '../engine/rule';
import type { TextEdit, TextRange } from '../engine/types';

// ---------------------------------------------------------------------------------------------
// The value model, shared by both formats

export interface ConfigString {
  kind: 'string';
  value: string;
  /** The literal, quotes included. */
  range: TextRange;
  /**
   * offsets[i] is the text offset of value[i]; offsets[value.length] is where the closing quote
   * starts. With escapes (`\"`, `\u0041`) one value character spans several text characters.
   */
  offsets: number[];
  /** How it was written: JSON and TOML basic strings escape, TOML literal strings cannot. */
  quote: '"' | "'" | '"""' | "'''";
}

export interface ConfigNumber {
  kind: 'number';
  value: number;
  range: TextRange;
}

export interface ConfigBoolean {
  kind: 'boolean';
  value: boolean;
  range: TextRange;
}

/** null, TOML dates and anything else read but not modelled. */
export interface ConfigOther {
  kind: 'other';
  raw: string;
  range: TextRange;
}

export interface ConfigArray {
  kind: 'array';
  items: ConfigValue[];
  range: TextRange;
}

export interface ConfigObject {
  kind: 'object';
  entries: ConfigEntry[];
  /** JSON: the braces. TOML tables: the header through the last key; inline tables: the braces. */
  range: TextRange;
  /** TOML only: a `[table]`, an `{ inline = "table" }` or a table implied by a dotted key. */
  style?: 'table' | 'inline' | 'implicit';
}

export type ConfigValue = ConfigString | ConfigNumber | ConfigBoolean | ConfigOther | ConfigArray | ConfigObject;

export interface ConfigEntry {
  key: string;
  keyRange: TextRange;
  value: ConfigValue;
  /** The whole `"key": value` pair (JSON) or `key = value` (TOML), or a table's header line. */
  range: TextRange;
}

export type ConfigFormat = 'json' | 'toml';

export interface ConfigDocument {
  format: ConfigFormat;
  text: string;
  root: ConfigObject;
}

// ---------------------------------------------------------------------------------------------
// Reading values

/** The value of `key` (the last one, as JSON.parse and most clients read duplicates). */
export function get(value: ConfigValue | undefined, key: string): ConfigValue | undefined {
  return entryOf(value, key)?.value;
}

export function entryOf(value: ConfigValue | undefined, key: string): ConfigEntry | undefined {
  if (value?.kind !== 'object') return undefined;
  for (let i = value.entries.length - 1; i >= 0; i--) if (value.entries[i].key === key) return value.entries[i];
  return undefined;
}

export function getPath(value: ConfigValue | undefined, ...keys: string[]): ConfigValue | undefined {
  let current = value;
  for (const key of keys) current = get(current, key);
  return current;
}

export function asString(value: ConfigValue | undefined): ConfigString | undefined {
  return value?.kind === 'string' ? value : undefined;
}

export function asObject(value: ConfigValue | undefined): ConfigObject | undefined {
  return value?.kind === 'object' ? value : undefined;
}

export function asArray(value: ConfigValue | undefined): ConfigArray | undefined {
  return value?.kind === 'array' ? value : undefined;
}

export function isTrue(value: ConfigValue | undefined): value is ConfigBoolean {
  return value?.kind === 'boolean' && value.value;
}

/** The string items of an array (others skipped). */
export function stringItems(value: ConfigValue | undefined): ConfigString[] {
  return asArray(value)?.items.filter((v): v is ConfigString => v.kind === 'string') ?? [];
}

/**
 * A VS Code-style setting: `"chat.tools.autoApprove": true` is usually written flat, but the same
 * setting nested (`"chat": {"tools": {...}}`) or half-nested is read the same way by VS Code.
 */
export function settingEntry(root: ConfigObject, dotted: string): ConfigEntry | undefined {
  const parts = dotted.split('.');
  const search = (obj: ConfigObject, from: number): ConfigEntry | undefined => {
    for (let end = parts.length; end > from; end--) {
      const entry = entryOf(obj, parts.slice(from, end).join('.'));
      if (!entry) continue;
      if (end === parts.length) return entry;
      if (entry.value.kind === 'object') {
        const inner = search(entry.value, end);
        if (inner) return inner;
      }
    }
    return undefined;
  };
  return search(root, 0);
}

/** The text range of value[from, to) of a string, in the document. */
export function substringRange(s: ConfigString, from: number, to: number): TextRange {
  return { start: s.offsets[from], end: s.offsets[to] };
}

// ---------------------------------------------------------------------------------------------
// Writing values

/** `value` as a literal of the file's syntax, keeping a TOML literal string's quotes when it can. */
export function encodeString(format: ConfigFormat, value: string, like?: ConfigString): string {
  if (format === 'toml' && like && (like.quote === "'" || like.quote === "'''") && !/['\n\r]/.test(value) && !/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) return `'${value}'`;
  // JSON's escapes are all valid TOML basic-string escapes.
  return JSON.stringify(value);
}

/** Text to put inside an existing string literal (between its quotes), escaped for its style. */
export function escapeInside(s: ConfigString, text: string): string | undefined {
  if (s.quote === "'" || s.quote === "'''") return /['\n\r]/.test(text) ? undefined : text;
  return JSON.stringify(text).slice(1, -1);
}

/** An edit replacing value[from, to) of a string with `text`; undefined when the literal style cannot hold it. */
export function replaceInString(s: ConfigString, from: number, to: number, text: string): TextEdit | undefined {
  const inside = escapeInside(s, text);
  return inside === undefined ? undefined : { ...substringRange(s, from, to), newText: inside };
}

/**
 * Edits deleting items of an array with their separators: each removed item goes with the comma
 * (and comments) between it and the item before it, or, when it is first, the one after it.
 */
export function removeArrayItems(array: ConfigArray, remove: readonly ConfigValue[]): TextEdit[] {
  const items = array.items;
  const kept = items.filter((i) => !remove.includes(i));
  if (kept.length === 0) return [{ start: array.range.start + 1, end: array.range.end - 1, newText: '' }];
  const edits: TextEdit[] = [];
  items.forEach((item, i) => {
    if (!remove.includes(item)) return;
    const previous = items.slice(0, i).reverse().find((x) => !remove.includes(x));
    if (previous) {
      // Only the stretch since the previous kept item: earlier removed items have their own edits.
      const start = i > 0 && remove.includes(items[i - 1]) ? items[i - 1].range.end : previous.range.end;
      edits.push({ start, end: item.range.end, newText: '' });
    } else {
      const next = items.slice(i + 1).find((x) => !remove.includes(x))!;
      const start = i > 0 ? items[i - 1].range.end : item.range.start;
      edits.push({ start, end: items[i + 1] === next ? next.range.start : item.range.end, newText: '' });
    }
  });
  return edits;
}

// ---------------------------------------------------------------------------------------------
// JSON / JSONC from the tree-sitter tree

/** Decodes a JSON string literal's text (quotes included) with each character's offset. */
function decodeJsonString(raw: string, start: number): { value: string; offsets: number[] } {
  const closed = raw.length >= 2 && raw.endsWith('"') && !isEscapedAt(raw, raw.length - 1);
  const end = closed ? raw.length - 1 : raw.length;
  let value = '';
  const offsets: number[] = [];
  const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  for (let i = 1; i < end; ) {
    const c = raw[i];
    if (c === '\\' && i + 1 < end) {
      const e = raw[i + 1];
      if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) {
        offsets.push(start + i);
        value += String.fromCharCode(parseInt(raw.slice(i + 2, i + 6), 16));
        i += 6;
        continue;
      }
      offsets.push(start + i);
      value += simple[e] ?? e;
      i += 2;
      continue;
    }
    offsets.push(start + i);
    value += c;
    i++;
  }
  offsets.push(start + end);
  return { value, offsets };
}

function isEscapedAt(raw: string, index: number): boolean {
  let backslashes = 0;
  for (let i = index - 1; i >= 0 && raw[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 1;
}

function jsonValue(node: Node, text: string): ConfigValue | undefined {
  const range = { start: node.startIndex, end: node.endIndex };
  switch (node.type) {
    case 'object': {
      const entries: ConfigEntry[] = [];
      for (const pair of node.namedChildren) {
        if (pair?.type !== 'pair') continue;
        const keyNode = pair.childForFieldName('key');
        const valueNode = pair.childForFieldName('value');
        if (keyNode?.type !== 'string' || !valueNode) continue;
        const key = decodeJsonString(text.slice(keyNode.startIndex, keyNode.endIndex), keyNode.startIndex).value;
        const value = jsonValue(valueNode, text);
        if (!value) continue;
        entries.push({ key, keyRange: { start: keyNode.startIndex, end: keyNode.endIndex }, value, range: { start: pair.startIndex, end: pair.endIndex } });
      }
      return { kind: 'object', entries, range };
    }
    case 'array': {
      const items: ConfigValue[] = [];
      for (const child of node.namedChildren) {
        if (!child || child.type === 'comment' || child.type === 'ERROR') continue;
        const value = jsonValue(child, text);
        if (value) items.push(value);
      }
      return { kind: 'array', items, range };
    }
    case 'string': {
      const { value, offsets } = decodeJsonString(text.slice(node.startIndex, node.endIndex), node.startIndex);
      return { kind: 'string', value, offsets, range, quote: '"' };
    }
    case 'number':
      return { kind: 'number', value: Number(text.slice(node.startIndex, node.endIndex)), range };
    case 'true':
    case 'false':
      return { kind: 'boolean', value: node.type === 'true', range };
    case 'null':
      return { kind: 'other', raw: 'null', range };
    default:
      return undefined;
  }
}

/** The top-level object of a JSON document, or undefined when the document is not an object. */
export function parseJsonTree(root: Node, text: string): ConfigObject | undefined {
  const top = root.type === 'document' ? root.namedChildren.find((c) => c?.type === 'object') : root.type === 'object' ? root : undefined;
  const value = top ? jsonValue(top, text) : undefined;
  return value?.kind === 'object' ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// TOML: the subset agent configs use. Tables, dotted and quoted keys, strings of all four kinds,
// arrays (across lines, with comments), inline tables, booleans, numbers; dates are kept raw.
// A line it cannot read is skipped, not reported: this reader serves rules, it is not a validator.

class TomlReader {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  startsWith(s: string): boolean {
    return this.text.startsWith(s, this.pos);
  }
  /** Spaces and tabs. */
  skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  /** Blanks, newlines and comments (inside arrays, and between statements). */
  skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') this.pos++;
      else if (c === '#') this.skipLine();
      else return;
    }
  }
  /** To the start of the next line. */
  skipLine(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }
  /** After a statement: only blanks and a comment may follow on its line. */
  endOfStatement(): boolean {
    this.skipBlanks();
    if (this.peek() === '#') {
      this.skipLine();
      return true;
    }
    if (this.peek() === '\r') this.pos++;
    if (this.peek() === '\n') {
      this.pos++;
      return true;
    }
    return this.done;
  }
}

class TomlError extends Error {}

/** A basic ("…"), literal ('…') or multi-line string at the reader's position. */
function readTomlString(r: TomlReader): ConfigString {
  const start = r.pos;
  const quote = r.startsWith('"""') ? '"""' : r.startsWith("'''") ? "'''" : r.peek() === '"' ? '"' : r.peek() === "'" ? "'" : undefined;
  if (!quote) throw new TomlError('not a string');
  r.pos += quote.length;
  const multiline = quote.length === 3;
  const literal = quote[0] === "'";
  // A newline right after the opening delimiter of a multi-line string is not part of the value.
  if (multiline) {
    if (r.startsWith('\r\n')) r.pos += 2;
    else if (r.peek() === '\n') r.pos++;
  }
  let value = '';
  const offsets: number[] = [];
  for (;;) {
    if (r.done) throw new TomlError('unterminated string');
    if (r.startsWith(quote)) {
      // Up to two quotes may precede the closing delimiter of a multi-line string (`""""`).
      if (multiline) {
        let extra = 0;
        while (extra < 2 && r.text.startsWith(quote, r.pos + extra + 1)) extra++;
        for (let i = 0; i < extra; i++) {
          offsets.push(r.pos);
          value += quote[0];
          r.pos++;
        }
      }
      offsets.push(r.pos);
      r.pos += quote.length;
      return { kind: 'string', value, offsets, range: { start, end: r.pos }, quote };
    }
    const c = r.peek();
    if (!multiline && (c === '\n' || c === '\r')) throw new TomlError('newline in string');
    if (!literal && c === '\\') {
      const e = r.peek(1);
      const at = r.pos;
      const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\', e: '\x1b' };
      if (e in simple) {
        offsets.push(at);
        value += simple[e];
        r.pos += 2;
        continue;
      }
      if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const hex = r.text.slice(r.pos + 2, r.pos + 2 + n);
        if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) throw new TomlError('bad unicode escape');
        const ch = String.fromCodePoint(parseInt(hex, 16));
        for (let i = 0; i < ch.length; i++) offsets.push(at);
        value += ch;
        r.pos += 2 + n;
        continue;
      }
      if (multiline && /[ \t\r\n]/.test(e)) {
        // A line-ending backslash trims the newline and the whitespace that follows.
        const m = /^\\[ \t]*\r?\n[ \t\r\n]*/.exec(r.text.slice(r.pos));
        if (m) {
          r.pos += m[0].length;
          continue;
        }
      }
      throw new TomlError('bad escape');
    }
    offsets.push(r.pos);
    value += c;
    r.pos++;
  }
}

interface TomlKeyPart {
  key: string;
  range: TextRange;
}

/** A dotted key: `a`, `a.b`, `a."b c"`, `'x'.y`. */
function readTomlKey(r: TomlReader): TomlKeyPart[] {
  const parts: TomlKeyPart[] = [];
  for (;;) {
    r.skipBlanks();
    const start = r.pos;
    if (r.peek() === '"' || r.peek() === "'") {
      if (r.startsWith('"""') || r.startsWith("'''")) throw new TomlError('multi-line key');
      const s = readTomlString(r);
      parts.push({ key: s.value, range: { start, end: r.pos } });
    } else {
      const m = /^[A-Za-z0-9_-]+/.exec(r.text.slice(r.pos, r.pos + 256));
      if (!m) throw new TomlError('expected a key');
      r.pos += m[0].length;
      parts.push({ key: m[0], range: { start, end: r.pos } });
    }
    r.skipBlanks();
    if (r.peek() !== '.') return parts;
    r.pos++;
  }
}

function readTomlValue(r: TomlReader, depth = 0): ConfigValue {
  if (depth > 64) throw new TomlError('nested too deeply');
  const start = r.pos;
  const c = r.peek();
  if (c === '"' || c === "'") return readTomlString(r);
  if (c === '[') {
    r.pos++;
    const items: ConfigValue[] = [];
    for (;;) {
      r.skipSpace();
      if (r.peek() === ']') {
        r.pos++;
        return { kind: 'array', items, range: { start, end: r.pos } };
      }
      if (r.done) throw new TomlError('unterminated array');
      items.push(readTomlValue(r, depth + 1));
      r.skipSpace();
      if (r.peek() === ',') r.pos++;
      else if (r.peek() !== ']') throw new TomlError('expected , or ]');
    }
  }
  if (c === '{') {
    r.pos++;
    const table: ConfigObject = { kind: 'object', entries: [], range: { start, end: start }, style: 'inline' };
    for (;;) {
      // TOML 1.0 keeps inline tables on one line; 1.1 and lenient readers allow more.
      r.skipSpace();
      if (r.peek() === '}') {
        r.pos++;
        table.range = { start, end: r.pos };
        return table;
      }
      if (r.done) throw new TomlError('unterminated inline table');
      const entryStart = r.pos;
      const key = readTomlKey(r);
      if (r.peek() !== '=') throw new TomlError('expected =');
      r.pos++;
      r.skipBlanks();
      const value = readTomlValue(r, depth + 1);
      assign(table, key, value, { start: entryStart, end: r.pos });
      r.skipSpace();
      if (r.peek() === ',') r.pos++;
      else if (r.peek() !== '}') throw new TomlError('expected , or }');
    }
  }
  const m = /^[^\s,\]}#]+(?: \d{2}:\d{2}[^\s,\]}#]*)?/.exec(r.text.slice(r.pos, r.pos + 128));
  if (!m) throw new TomlError('expected a value');
  r.pos += m[0].length;
  const raw = m[0];
  const range = { start, end: r.pos };
  if (raw === 'true' || raw === 'false') return { kind: 'boolean', value: raw === 'true', range };
  if (/^[+-]?(\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|inf|nan)$/.test(raw)) {
    const clean = raw.replace(/_/g, '');
    const value = /^[+-]?0[xob]/.test(clean) ? Number(clean.replace(/^\+/, '')) : Number(clean);
    return { kind: 'number', value, range };
  }
  return { kind: 'other', raw, range };
}

/** Puts a value at a dotted key under `table`, creating the implied tables on the way. */
function assign(table: ConfigObject, key: TomlKeyPart[], value: ConfigValue, range: TextRange): void {
  let current = table;
  for (let i = 0; i < key.length - 1; i++) {
    const existing = entryOf(current, key[i].key);
    if (existing?.value.kind === 'object') {
      current = existing.value;
      continue;
    }
    const implied: ConfigObject = { kind: 'object', entries: [], range: { ...range }, style: 'implicit' };
    current.entries.push({ key: key[i].key, keyRange: key[i].range, value: implied, range: { ...range } });
    current = implied;
  }
  const last = key[key.length - 1];
  current.entries.push({ key: last.key, keyRange: last.range, value, range });
  grow(table, range.end);
}

function grow(table: ConfigObject, end: number): void {
  if (table.style !== 'inline' && end > table.range.end) table.range = { start: table.range.start, end };
}

/** The table a `[a.b.c]` header names, created if needed; `[[a.b]]` appends a table to an array. */
function tableAt(root: ConfigObject, key: TomlKeyPart[], header: TextRange, arrayOfTables: boolean): ConfigObject {
  let current = root;
  for (let i = 0; i < key.length; i++) {
    const last = i === key.length - 1;
    const existing = entryOf(current, key[i].key);
    if (last && arrayOfTables) {
      const table: ConfigObject = { kind: 'object', entries: [], range: { ...header }, style: 'table' };
      if (existing?.value.kind === 'array') {
        existing.value.items.push(table);
        existing.value.range = { start: existing.value.range.start, end: header.end };
      } else {
        const array: ConfigArray = { kind: 'array', items: [table], range: { ...header } };
        current.entries.push({ key: key[i].key, keyRange: key[i].range, value: array, range: { ...header } });
      }
      return table;
    }
    if (existing?.value.kind === 'object') {
      current = existing.value;
      if (last) {
        // A table first implied by a deeper header (`[a.b]` before `[a]`) is now defined here.
        if (current.style === 'implicit') {
          current.style = 'table';
          existing.keyRange = key[i].range;
          existing.range = { ...header };
          current.range = { ...header };
        }
      }
      continue;
    }
    if (existing?.value.kind === 'array') {
      // `[a.b]` after `[[a]]` continues the last table of the array.
      const lastItem = existing.value.items[existing.value.items.length - 1];
      if (lastItem?.kind === 'object') {
        current = lastItem;
        continue;
      }
    }
    const table: ConfigObject = { kind: 'object', entries: [], range: { ...header }, style: last ? 'table' : 'implicit' };
    current.entries.push({ key: key[i].key, keyRange: key[i].range, value: table, range: { ...header } });
    current = table;
  }
  return current;
}

/** Reads TOML text into the value model; statements it cannot read are skipped. */
export function parseToml(text: string): ConfigObject {
  const root: ConfigObject = { kind: 'object', entries: [], range: { start: 0, end: text.length }, style: 'table' };
  const r = new TomlReader(text);
  let table = root;
  while (!r.done) {
    r.skipSpace();
    if (r.done) break;
    const start = r.pos;
    try {
      if (r.peek() === '[') {
        const arrayOfTables = r.startsWith('[[');
        r.pos += arrayOfTables ? 2 : 1;
        const key = readTomlKey(r);
        if (arrayOfTables ? !r.startsWith(']]') : r.peek() !== ']') throw new TomlError('expected ]');
        r.pos += arrayOfTables ? 2 : 1;
        const header = { start, end: r.pos };
        table = tableAt(root, key, header, arrayOfTables);
        if (!r.endOfStatement()) throw new TomlError('text after a table header');
        continue;
      }
      const key = readTomlKey(r);
      if (r.peek() !== '=') throw new TomlError('expected =');
      r.pos++;
      r.skipBlanks();
      const value = readTomlValue(r);
      const range = { start, end: r.pos };
      assign(table, key, value, range);
      if (!r.endOfStatement()) throw new TomlError('text after a value');
    } catch (err) {
      if (!(err instanceof TomlError)) throw err;
      // Give up on this statement and go on at the line after the one it started on.
      r.pos = start;
      r.skipLine();
    }
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// The document of a rule's file, built once per analysis and shared by every rule that asks

const documents = new WeakMap<RuleContext, ConfigDocument | null>();

/** The positioned view of a JSON or TOML file under analysis; undefined for other files or non-object JSON. */
export function configDocument(ctx: RuleContext): ConfigDocument | undefined {
  let doc = documents.get(ctx);
  if (doc === undefined) {
    doc = null;
    if (ctx.language === 'json') {
      const root = parseJsonTree(ctx.tree.rootNode, ctx.text);
      if (root) doc = { format: 'json', text: ctx.text, root };
    } else if (ctx.language === 'toml') {
      doc = { format: 'toml', text: ctx.text, root: parseToml(ctx.text) };
    }
    documents.set(ctx, doc);
  }
  return doc ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// Paths

/** Forward slashes, lower case, `file://` URIs decoded: for matching file names only. */
export function normalisePath(path: string): string {
  let p = path;
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p)) p = decodeURIComponent(new URL(p).pathname);
  } catch {
    // not a URI after all
  }
  return p.replace(/\\/g, '/').toLowerCase();
}

export function baseName(path: string): string {
  const p = normalisePath(path);
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Which agent reads an MCP configuration, from where the file is. */
export type McpClient = 'vscode' | 'cursor' | 'claude-code' | 'claude-desktop' | 'windsurf' | 'cline' | 'roo' | 'kiro' | 'gemini' | 'codex' | 'unknown';

export function mcpClientOf(path: string): McpClient {
  const p = normalisePath(path);
  const name = p.slice(p.lastIndexOf('/') + 1);
  if (/(^|\/)\.vscode\/(mcp|settings)\.json$/.test(p)) return 'vscode';
  if (/(^|\/)\.cursor\/mcp\.json$/.test(p)) return 'cursor';
  if (/(^|\/)\.roo\/mcp\.json$/.test(p) || name === 'mcp_settings.json') return 'roo';
  if (/(^|\/)\.kiro\/(settings\/)?mcp\.json$/.test(p)) return 'kiro';
  if (/(^|\/)\.gemini\/settings\.json$/.test(p)) return 'gemini';
  if (/(^|\/)\.codex\/config\.toml$/.test(p)) return 'codex';
  if (name === '.mcp.json') return 'claude-code';
  if (name === 'claude_desktop_config.json') return 'claude-desktop';
  if (name === 'mcp_config.json') return 'windsurf';
  if (name === 'cline_mcp_settings.json') return 'cline';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------
// MCP servers, normalised across clients

/** One word of a command line: a whole string, or a shell word inside one. */
export interface Word {
  /** The word with shell quotes removed. */
  value: string;
  source: ConfigString;
  /** Indices into source.value covering the word as written (quotes included). */
  from: number;
  to: number;
}

export function wordRange(w: Word): TextRange {
  return substringRange(w.source, w.from, w.to);
}

/** A whole string as one word. */
export function wholeWord(s: ConfigString): Word {
  return { value: s.value, source: s, from: 0, to: s.value.length };
}

/**
 * Splits a string the way a POSIX shell splits words (quotes, backslashes), keeping each word's
 * place. Operators (`|`, `&&`, `;`, `>`) come back as words of their own; expansions stay literal.
 */
export function splitWords(s: ConfigString, start = 0, end = s.value.length): Word[] {
  const text = s.value.slice(0, end);
  const words: Word[] = [];
  let i = start;
  while (i < text.length) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) break;
    const from = i;
    const op = /^(\|\||&&|;;|\|&|>>|<<|[|&;<>()])/.exec(text.slice(i));
    if (op) {
      i += op[0].length;
      words.push({ value: op[0], source: s, from, to: i });
      continue;
    }
    let value = '';
    while (i < text.length && !/\s/.test(text[i]) && !/[|&;<>()]/.test(text[i])) {
      const c = text[i];
      if (c === "'") {
        const close = text.indexOf("'", i + 1);
        const end = close < 0 ? text.length : close;
        value += text.slice(i + 1, end);
        i = close < 0 ? text.length : close + 1;
      } else if (c === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length && /["\\$`\n]/.test(text[i + 1])) i++;
          value += text[i];
          i++;
        }
        i++;
      } else if (c === '\\' && i + 1 < text.length) {
        value += text[i + 1];
        i += 2;
      } else if (c === '$' && text[i + 1] === '(') {
        // Keep a command substitution whole, parentheses and all: it is one word to the shell.
        let depth = 0;
        const start = i;
        for (; i < text.length; i++) {
          if (text[i] === '(') depth++;
          else if (text[i] === ')' && --depth === 0) {
            i++;
            break;
          }
        }
        value += text.slice(start, i);
      } else {
        value += c;
        i++;
      }
    }
    words.push({ value, source: s, from, to: Math.min(i, text.length) });
  }
  return words;
}

export interface McpServer {
  name: string;
  nameRange: TextRange;
  /** The server's entry in its map (`"github": {…}` or `[mcp_servers.github]`). */
  entry: ConfigEntry;
  config: ConfigObject;
  client: McpClient;
  command?: ConfigString;
  /** The command and its arguments as words: `npx -y pkg` in one command string is split. */
  argv: Word[];
  args?: ConfigArray;
  /** The remote endpoint (`url`, Windsurf `serverUrl`, Gemini `httpUrl`) and the key it is under. */
  url?: ConfigString;
  urlKey?: string;
  /** `type`/`transport` as written (`stdio`, `sse`, `http`, `streamable-http`). */
  type?: string;
  env?: ConfigObject;
  /** HTTP headers (`headers`; Codex `http_headers`). */
  headers?: ConfigObject;
  /** `disabled: true` or Codex `enabled = false`. */
  disabled: boolean;
}

const LAUNCHER_NAMES = /^(npx|bunx|pnpx|pnpm|yarn|npm|uvx|uv|pipx|docker|podman|deno|bash|sh|zsh|dash|ksh|fish|cmd|powershell|pwsh|sudo|env)$/;

/** `C:\\Program Files\\nodejs\\npx.cmd` → `npx`. */
export function programName(command: string): string {
  const base = command.replace(/\\/g, '/').split('/').pop() ?? command;
  return base.toLowerCase().replace(/\.(exe|cmd|bat|ps1)$/, '');
}

function serverOf(entry: ConfigEntry, client: McpClient): McpServer | undefined {
  const config = asObject(entry.value);
  if (!config) return undefined;
  const command = asString(get(config, 'command'));
  const args = asArray(get(config, 'args'));
  const argv: Word[] = [];
  if (command) {
    // `"command": "npx -y pkg"` with no args: some clients run it through a shell, so read its words.
    const words = splitWords(command);
    if (!args && words.length > 1 && LAUNCHER_NAMES.test(programName(words[0].value))) argv.push(...words);
    else argv.push(wholeWord(command));
  }
  if (command && args) for (const a of stringItems(args)) argv.push(wholeWord(a));
  let url: ConfigString | undefined;
  let urlKey: string | undefined;
  for (const key of ['httpUrl', 'url', 'serverUrl', 'serverURL', 'uri']) {
    const v = asString(get(config, key));
    if (v) {
      url = v;
      urlKey = key;
      break;
    }
  }
  const type = asString(get(config, 'type')) ?? asString(get(config, 'transport'));
  const enabled = get(config, 'enabled');
  const disabled = isTrue(get(config, 'disabled')) || (enabled?.kind === 'boolean' && !enabled.value);
  return {
    name: entry.key,
    nameRange: entry.keyRange,
    entry,
    config,
    client,
    command,
    argv,
    args,
    url,
    urlKey,
    type: type?.value,
    env: asObject(get(config, 'env')),
    headers: asObject(get(config, 'headers')) ?? asObject(get(config, 'http_headers')),
    disabled,
  };
}

/** Whether an object's entries look like MCP server definitions (so a `servers` key is what it seems). */
function looksLikeServers(map: ConfigObject): boolean {
  return map.entries.some((e) => e.value.kind === 'object' && ['command', 'url', 'type', 'serverUrl', 'httpUrl', 'args'].some((k) => get(e.value, k)));
}

/**
 * The MCP servers a configuration declares: `mcpServers` (Claude, Cursor, Windsurf, Cline, Roo,
 * Gemini, Kiro), VS Code's `servers` (and `mcp.servers` in its settings.json), and Codex's
 * `[mcp_servers.<name>]` tables.
 */
export function mcpServersOf(doc: ConfigDocument, path: string): McpServer[] {
  const client = mcpClientOf(path);
  const maps: ConfigObject[] = [];
  const add = (v: ConfigValue | undefined) => {
    const o = asObject(v);
    if (o && !maps.includes(o)) maps.push(o);
  };
  if (doc.format === 'toml') add(get(doc.root, 'mcp_servers'));
  else {
    add(get(doc.root, 'mcpServers'));
    const servers = asObject(get(doc.root, 'servers'));
    if (servers && (client === 'vscode' || looksLikeServers(servers))) add(servers);
    if (client === 'vscode') add(settingEntry(doc.root, 'mcp.servers')?.value);
  }
  const out: McpServer[] = [];
  for (const map of maps) {
    for (const entry of map.entries) {
      const server = serverOf(entry, client);
      if (server) out.push(server);
    }
  }
  return out;
}

/** VS Code `inputs` ids declared in an mcp.json (`${input:id}` must name one of them). */
export function mcpInputIds(doc: ConfigDocument): Set<string> {
  const ids = new Set<string>();
  const inputs = asArray(get(doc.root, 'inputs')) ?? asArray(settingEntry(doc.root, 'mcp.inputs')?.value);
  for (const item of inputs?.items ?? []) {
    const id = asString(get(item, 'id'));
    if (id) ids.add(id.value);
  }
  return ids;
}
