// Symbolic values of the pickle machine (what sits on its stack and in its memo), and how they
// are rendered in messages. Nothing here is a Python object: strings stay strings, calls stay
// records of what would be called.

/** Where a string or bytes literal lies in the source, so it can be re-read later (nested pickles). */
export interface Ref {
  off: number;
  len: number;
  enc: 'utf8' | 'raw';
}

export interface GlobalRef {
  module: string;
  name: string;
  opcode: string;
  offset: number;
  /** False when the operands are not literal strings (STACK_GLOBAL fed by calls) or an EXT code is unregistered. */
  resolved: boolean;
  why?: string;
}

export interface Call {
  opcode: string;
  offset: number;
  /** What is invoked: an import, the result of another call, or (BUILD/APPEND…) the object whose method runs. */
  fn: V;
  args: V;
}

export type V =
  | { k: 'mark' }
  | { k: 'none' }
  | { k: 'float' }
  | { k: 'pid' }
  | { k: 'buffer' }
  | { k: 'set' }
  | { k: 'bool'; v: boolean }
  | { k: 'int'; v: number | bigint }
  | { k: 'str'; v: string; complete: boolean; ref?: Ref }
  | { k: 'bytes'; len: number; ref?: Ref; v?: string }
  | { k: 'tuple'; items: V[]; n: number }
  | { k: 'list'; items: V[]; n: number }
  | { k: 'dict'; n: number; entries: Map<string, V> }
  | { k: 'global'; g: GlobalRef }
  | { k: 'obj'; call: Call };


// Immutable values are shared: a dense stream pushes millions of them.
export const NONE_V: V = { k: 'none' };
export const TRUE_V: V = { k: 'bool', v: true };
export const FALSE_V: V = { k: 'bool', v: false };
export const FLOAT_V: V = { k: 'float' };
export const BUFFER_V: V = { k: 'buffer' };
export const SET_V: V = { k: 'set' };
export const PID_V: V = { k: 'pid' };
export const SMALL_INTS: V[] = Array.from({ length: 256 }, (_, i) => ({ k: 'int', v: i }));

export function int(n: number | bigint): V {
  if (typeof n === 'number') return n >= 0 && n < 256 ? SMALL_INTS[n] : { k: 'int', v: n };
  return n >= 0n && n < 256n ? SMALL_INTS[Number(n)] : n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? { k: 'int', v: Number(n) } : { k: 'int', v: n };
}

/** Two's-complement little-endian integer (LONG1/LONG4). */
export function decodeLong(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

export function unescapePython(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8) & 0xff);
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[e] ?? `\\${e}`;
  });
}

export function unescapeRawUnicode(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_m, a: string | undefined, b: string | undefined) => {
    const cp = parseInt((a ?? b) as string, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  });
}

export function describe(v: V): string {
  switch (v.k) {
    case 'str':
      return v.complete ? 'a string' : 'a string too long to read';
    case 'obj':
      return `the result of ${render(v)}`;
    case 'global':
      return `the import ${v.g.module}.${v.g.name}`;
    default:
      return `a ${v.k}`;
  }
}

/** A short Python-like rendering of a symbolic value, for messages. */
export function render(v: V, depth = 0): string {
  if (depth > 4) return '…';
  switch (v.k) {
    case 'none':
      return 'None';
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'int':
      return v.v.toString();
    case 'float':
      return '<float>';
    case 'str':
      return v.complete ? pyRepr(v.v) : `<str of ${v.ref?.len ?? '?'} bytes>`;
    case 'bytes':
      return `<bytes of ${v.len}>`;
    case 'tuple': {
      const parts = v.items.slice(0, 6).map((x) => render(x, depth + 1));
      if (v.n > 6) parts.push('…');
      return v.n === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case 'list': {
      const parts = v.items.slice(0, 6).map((x) => render(x, depth + 1));
      if (v.n > 6) parts.push('…');
      return `[${parts.join(', ')}]`;
    }
    case 'dict':
      return v.n === 0 ? '{}' : `{…${v.n} items}`;
    case 'set':
      return '<set>';
    case 'global':
      return v.g.resolved ? `${v.g.module}.${v.g.name}` : `<unresolved ${v.g.opcode}>`;
    case 'obj': {
      const c = v.call;
      if (c.opcode === 'BUILD') return `${render(c.fn, depth + 1)}`;
      const args = c.args.k === 'tuple' ? render(c.args, depth + 1).replace(/^\((.*?),?\)$/, '$1') : render(c.args, depth + 1);
      return `${render(c.fn, depth + 1)}(${args})`;
    }
    case 'pid':
      return '<persistent id>';
    case 'buffer':
      return '<buffer>';
    case 'mark':
      return '<mark>';
  }
}

function pyRepr(s: string): string {
  const cut = s.length > 60 ? s.slice(0, 57) + '...' : s;
  return `'${cut.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}
