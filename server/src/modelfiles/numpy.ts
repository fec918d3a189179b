// NumPy .npy (format spec: numpy/lib/format.py docstring, "NPY format"): magic, version, a
// Python-literal header dict {'descr', 'fortran_order', 'shape'}, then the data. An object
// dtype means the data is a pickle (np.save pickles object arrays), which is scanned like any.
import type { ScanContext, Where } from './context';
import { dtypeItemSize } from './numpy-dtype';
import { scanPickle, type NestedScan } from './pickle/scan';
import { decodeUtf8, latin1, readU16LE, readU32LE, startsWith, type ByteSource } from './source';

type Lit = string | number | boolean | null | Lit[] | { [k: string]: Lit };

export function scanNpy(ctx: ScanContext, src: ByteSource, where: Where, nested: NestedScan, torch: boolean): void {
  const malformed = (offset: number, message: string) => ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message });
  const pre = src.read(0, 12);
  const major = pre[6];
  if (pre.length < 10 || major < 1 || major > 3) {
    malformed(6, `NumPy file has unsupported format version ${major}.${pre[7]}.`);
    return;
  }
  const headerLen = major === 1 ? readU16LE(pre, 8) : readU32LE(pre, 8);
  const headerStart = major === 1 ? 10 : 12;
  if (headerLen > 1_000_000 || headerStart + headerLen > src.size) {
    malformed(8, `NumPy header length ${headerLen} is implausible or runs past the end of the file.`);
    return;
  }
  const raw = src.read(headerStart, headerLen);
  const text = major === 3 ? decodeUtf8(raw) : latin1(raw);
  let header: Lit;
  try {
    header = parseLiteral(text);
  } catch (e) {
    malformed(headerStart, `NumPy header is not a Python literal dict: ${(e as Error).message}.`);
    return;
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header) || !('descr' in header) || !('shape' in header)) {
    malformed(headerStart, 'NumPy header lacks descr or shape.');
    return;
  }
  const dataStart = headerStart + headerLen;
  const descr = header.descr;
  if (hasObject(descr)) {
    ctx.add(where, {
      ruleId: 'numpy-object-array',
      severity: 'warning',
      confidence: 'high',
      offset: headerStart,
      length: headerLen,
      message: `NumPy array with object dtype (descr ${JSON.stringify(descr)}): its data is a pickle, so np.load(allow_pickle=True) runs whatever it names. The embedded pickle at offset ${dataStart} was scanned.`,
    });
    scanPickle(ctx, src, dataStart, where, { torch }, nested);
    return;
  }
  const itemsize = typeof descr === 'string' ? dtypeItemSize(descr) : undefined;
  const shape = header.shape;
  if (typeof itemsize !== 'number' || !Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && d >= 0)) return;
  const expected = (shape as number[]).reduce((a, d) => a * d, itemsize);
  const actual = src.size - dataStart;
  if (actual < expected) malformed(dataStart, `NumPy array data is truncated: shape ${JSON.stringify(shape)} of ${descr} needs ${expected} bytes, ${actual} follow the header.`);
  else if (actual > expected) {
    const extra = src.read(dataStart + expected, 4);
    if ((extra[0] === 0x80 && extra[1] >= 2 && extra[1] <= 5) || startsWith(extra, 'PK\x03\x04')) {
      malformed(dataStart + expected, `NumPy file carries ${actual - expected} extra bytes after its array data, starting like a pickle or zip: a payload hidden from tools that only read the array.`);
    }
  }
}

function hasObject(descr: Lit): boolean {
  if (typeof descr === 'string') return dtypeItemSize(descr) === 'object';
  if (Array.isArray(descr)) return descr.some(hasObject);
  return false;
}

/** Python literals as numpy writes them: dicts, tuples, lists, strings, ints, True/False/None. */
function parseLiteral(text: string): Lit {
  let p = 0;
  const ws = () => {
    while (p < text.length && /\s/.test(text[p])) p++;
  };
  const value = (depth: number): Lit => {
    if (depth > 32) throw new Error('nested too deeply');
    ws();
    const c = text[p];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      p++;
      const items: Lit[] = [];
      const dict: Record<string, Lit> = {};
      for (;;) {
        ws();
        if (text[p] === close) {
          p++;
          return c === '{' ? dict : items;
        }
        const v = value(depth + 1);
        ws();
        if (c === '{') {
          if (text[p] !== ':') throw new Error("expected ':'");
          p++;
          dict[String(v)] = value(depth + 1);
          ws();
        } else items.push(v);
        if (text[p] === ',') p++;
        else if (text[p] !== close) throw new Error(`expected ',' or '${close}' at ${p}`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, p + 1);
      if (end < 0) throw new Error('unterminated string');
      const s = text.slice(p + 1, end);
      p = end + 1;
      return s;
    }
    const m = /^(-?\d+|True|False|None)/.exec(text.slice(p, p + 32));
    if (!m) throw new Error(`unexpected ${JSON.stringify(text.slice(p, p + 10))}`);
    p += m[0].length;
    return m[0] === 'True' ? true : m[0] === 'False' ? false : m[0] === 'None' ? null : Number(m[0]);
  };
  const v = value(0);
  ws();
  if (p < text.length) throw new Error('data after the header dict');
  return v;
}
