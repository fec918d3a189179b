// A small JSON reader (RFC 8259) over bytes that keeps byte offsets and reports duplicate keys,
// which JSON.parse silently resolves. Used for safetensors headers and Keras configs, where
// "which key wins" and "where is it" both matter. Depth is bounded so hostile nesting cannot
// overflow the stack.

export type JsonNode =
  | { t: 'object'; start: number; end: number; entries: { key: string; keyAt: number; value: JsonNode }[] }
  | { t: 'array'; start: number; end: number; items: JsonNode[] }
  | { t: 'string'; start: number; end: number; v: string }
  | { t: 'number'; start: number; end: number; v: number; raw: string }
  | { t: 'bool'; start: number; end: number; v: boolean }
  | { t: 'null'; start: number; end: number };

export class JsonError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export interface JsonResult {
  node: JsonNode;
  /** Offset just past the value (for values embedded in larger data). */
  end: number;
  duplicates: { key: string; offset: number }[];
}

const MAX_DEPTH = 256;
const dec = new TextDecoder('utf-8');

/** Parses one JSON value starting at `start` (after optional whitespace). Throws JsonError. */
export function parseJson(b: Uint8Array, start = 0, opts: { whole?: boolean } = {}): JsonResult {
  let p = start;
  const duplicates: JsonResult['duplicates'] = [];
  const ws = () => {
    while (p < b.length && (b[p] === 0x20 || b[p] === 0x0a || b[p] === 0x0d || b[p] === 0x09)) p++;
  };
  const fail = (message: string): never => {
    throw new JsonError(p, message);
  };
  const str = (): string => {
    const s = p;
    p++; // opening quote
    let escaped = false;
    while (p < b.length) {
      const c = b[p];
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string');
      if (c === 0x5c) {
        escaped = true;
        p += 2;
      } else p++;
    }
    if (p >= b.length) fail('unterminated string');
    p++;
    const raw = b.subarray(s, p);
    if (!escaped) return dec.decode(raw.subarray(1, raw.length - 1));
    try {
      return JSON.parse(dec.decode(raw)) as string;
    } catch {
      return fail('bad escape in string');
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const s = p;
    const c = b[p];
    if (c === 0x7b) {
      p++;
      const entries: { key: string; keyAt: number; value: JsonNode }[] = [];
      const keys = new Set<string>();
      ws();
      if (b[p] === 0x7d) {
        p++;
        return { t: 'object', start: s, end: p, entries };
      }
      for (;;) {
        ws();
        if (b[p] !== 0x22) fail('expected a key');
        const keyAt = p;
        const key = str();
        if (keys.has(key)) duplicates.push({ key, offset: keyAt });
        keys.add(key);
        ws();
        if (b[p] !== 0x3a) fail("expected ':'");
        p++;
        entries.push({ key, keyAt, value: value(depth + 1) });
        ws();
        if (b[p] === 0x2c) {
          p++;
          continue;
        }
        if (b[p] === 0x7d) {
          p++;
          return { t: 'object', start: s, end: p, entries };
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === 0x5b) {
      p++;
      const items: JsonNode[] = [];
      ws();
      if (b[p] === 0x5d) {
        p++;
        return { t: 'array', start: s, end: p, items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (b[p] === 0x2c) {
          p++;
          continue;
        }
        if (b[p] === 0x5d) {
          p++;
          return { t: 'array', start: s, end: p, items };
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === 0x22) return { t: 'string', start: s, v: str(), end: p };
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      while (p < b.length && /[-+.eE0-9]/.test(String.fromCharCode(b[p]))) p++;
      const raw = String.fromCharCode(...b.subarray(s, p));
      if (!/^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?$/.test(raw)) fail('bad number');
      return { t: 'number', start: s, end: p, v: Number(raw), raw };
    }
    for (const [word, node] of [
      ['true', { t: 'bool', v: true }],
      ['false', { t: 'bool', v: false }],
      ['null', { t: 'null' }],
    ] as const) {
      if (b.length >= p + word.length && String.fromCharCode(...b.subarray(p, p + word.length)) === word) {
        p += word.length;
        return { ...node, start: s, end: p } as JsonNode;
      }
    }
    return fail(p >= b.length ? 'unexpected end of data' : 'unexpected character');
  };
  const node = value(0);
  const end = p;
  if (opts.whole) {
    ws();
    if (p < b.length) fail('data after the JSON value');
  }
  return { node, end, duplicates };
}

export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  if (node?.t !== 'object') return undefined;
  for (let i = node.entries.length - 1; i >= 0; i--) if (node.entries[i].key === key) return node.entries[i].value;
  return undefined;
}

export function stringMember(node: JsonNode | undefined, key: string): string | undefined {
  const v = member(node, key);
  return v?.t === 'string' ? v.v : undefined;
}
