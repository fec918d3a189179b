// GGUF (format: ggml docs/gguf.md): magic, version, tensor and metadata counts, typed key/value
// metadata, tensor infos, aligned tensor data. Loaders written in C have overflowed on counts,
// string lengths and offsets that do not fit the file, so each one is checked against the
// bytes actually there. The chat template stored in the metadata is linted as Jinja.
import type { ScanContext, Where } from './context';
import { lintChatTemplate } from './jinja';
import { Cursor, ScanAbort, Truncated, decodeUtf8, type ByteSource } from './source';

const MAX_TENSORS = 1_000_000;
const MAX_KV = 1_000_000;
const MAX_KEY = 65_535;
const MAX_TEMPLATE = 4 * 1024 * 1024;
const MAX_DIMS = 4; // GGML_MAX_DIMS

/** Fixed element sizes of the scalar metadata value types. */
const SCALAR_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const STRING = 8;
const ARRAY = 9;

/** ggml types whose block layout is stable: [bytes per block, elements per block]. Others get offset checks only. */
const GGML_BLOCK: Record<number, [number, number]> = {
  0: [4, 1], 1: [2, 1], 2: [18, 32], 3: [20, 32], 6: [22, 32], 7: [24, 32], 8: [34, 32], 9: [36, 32],
  10: [84, 256], 11: [110, 256], 12: [144, 256], 13: [176, 256], 14: [210, 256], 15: [292, 256],
  24: [1, 1], 25: [2, 1], 26: [4, 1], 27: [8, 1], 28: [8, 1], 30: [2, 1],
};

class Bad extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

export function scanGguf(ctx: ScanContext, src: ByteSource, where: Where): void {
  const cur = new Cursor(src, 4);
  const malformed = (offset: number, message: string) => ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message: `GGUF: ${message}.` });
  try {
    const version = cur.u32();
    if (version < 1 || version > 3) throw new Bad(4, `unsupported version ${version}`);
    const v1 = version === 1;
    const count = (): bigint => (v1 ? BigInt(cur.u32()) : cur.u64());
    const tensorCount = count();
    const kvCount = count();
    if (tensorCount > BigInt(MAX_TENSORS)) throw new Bad(8, `tensor count ${tensorCount} is out of bounds`);
    if (kvCount > BigInt(MAX_KV)) throw new Bad(v1 ? 12 : 16, `metadata count ${kvCount} is out of bounds`);

    const readString = (max: number, what: string): { at: number; len: number; text?: string } => {
      const at = cur.pos;
      const len = count();
      if (len > BigInt(cur.remaining)) throw new Bad(at, `${what} length ${len} runs past the end of the file`);
      const n = Number(len);
      if (n > max) {
        cur.skip(n);
        return { at, len: n };
      }
      return { at, len: n, text: decodeUtf8(cur.bytes(n)) };
    };
    const skipValue = (type: number, at: number, depth: number): void => {
      if (type === STRING) {
        readString(0, 'string value');
        return;
      }
      if (type === ARRAY) {
        if (depth > 2) throw new Bad(at, 'arrays nested too deeply');
        const inner = cur.u32();
        const n = count();
        if (inner === STRING || inner === ARRAY) {
          if (n > BigInt(cur.remaining)) throw new Bad(at, `array of ${n} items cannot fit in the file`);
          for (let i = 0n; i < n; i++) {
            if ((i & 1023n) === 0n) ctx.tick();
            skipValue(inner, at, depth + 1);
          }
          return;
        }
        const size = SCALAR_SIZE[inner];
        if (size === undefined) throw new Bad(at, `unknown array element type ${inner}`);
        if (n * BigInt(size) > BigInt(cur.remaining)) throw new Bad(at, `array of ${n} items runs past the end of the file`);
        cur.skip(Number(n) * size);
        return;
      }
      const size = SCALAR_SIZE[type];
      if (size === undefined) throw new Bad(at, `unknown metadata value type ${type}`);
      cur.skip(size);
    };

    let alignment = 32;
    for (let i = 0n; i < kvCount; i++) {
      ctx.tick();
      const key = readString(MAX_KEY, 'key');
      if (key.text === undefined) throw new Bad(key.at, `key length ${key.len} is out of bounds`);
      const typeAt = cur.pos;
      const type = cur.u32();
      if (key.text === 'general.alignment' && type === 4) {
        alignment = cur.u32();
        if (alignment === 0 || (alignment & (alignment - 1)) !== 0) throw new Bad(typeAt, `general.alignment ${alignment} is not a power of two`);
        continue;
      }
      if ((key.text === 'tokenizer.chat_template' || key.text.startsWith('tokenizer.chat_template.')) && type === STRING) {
        const value = readString(MAX_TEMPLATE, 'chat template');
        if (value.text === undefined) {
          malformed(value.at, `${key.text} is ${value.len} bytes, too long to lint`);
          continue;
        }
        lintTemplate(ctx, where, key.text, value.text, value.at + (v1 ? 4 : 8));
        continue;
      }
      skipValue(type, typeAt, 0);
    }

    const infos: { name: string; at: number; offset: bigint; bytes?: bigint }[] = [];
    for (let i = 0n; i < tensorCount; i++) {
      ctx.tick();
      const name = readString(MAX_KEY, 'tensor name');
      if (name.text === undefined) throw new Bad(name.at, `tensor name length ${name.len} is out of bounds`);
      const dimsAt = cur.pos;
      const nDims = cur.u32();
      if (nDims > MAX_DIMS) throw new Bad(dimsAt, `tensor ${name.text} has ${nDims} dimensions (at most ${MAX_DIMS})`);
      let elements = 1n;
      for (let d = 0; d < nDims; d++) elements *= v1 ? BigInt(cur.u32()) : cur.u64();
      const type = cur.u32();
      const offset = cur.u64();
      const block = GGML_BLOCK[type];
      const bytes = block ? (elements * BigInt(block[0])) / BigInt(block[1]) : undefined;
      infos.push({ name: name.text, at: name.at, offset, bytes });
    }
    const dataStart = BigInt(Math.ceil(cur.pos / alignment) * alignment);
    const dataLen = BigInt(src.size) - dataStart;
    let reported = 0;
    for (const t of infos) {
      if (reported >= 10) break;
      if (t.offset % BigInt(alignment) !== 0n) {
        malformed(t.at, `tensor ${t.name} offset ${t.offset} is not aligned to ${alignment}`);
        reported++;
      } else if (t.offset > dataLen || (t.bytes !== undefined && t.offset + t.bytes > dataLen)) {
        malformed(t.at, `tensor ${t.name} [${t.offset}, ${t.bytes === undefined ? '?' : t.offset + t.bytes}) lies outside the ${dataLen} bytes of tensor data`);
        reported++;
      }
    }
  } catch (e) {
    if (e instanceof ScanAbort) throw e;
    if (e instanceof Bad) malformed(e.offset, e.message);
    else if (e instanceof Truncated) malformed(e.offset, `the file ends inside its header (offset ${e.offset})`);
    else throw e;
  }
}

function lintTemplate(ctx: ScanContext, where: Where, key: string, template: string, offset: number) {
  const hits = lintChatTemplate(template);
  if (hits.length === 0) return;
  const first = hits[0];
  const at = offset + Buffer.byteLength(template.slice(0, first.index));
  const list = [...new Set(hits.map((h) => h.what))].slice(0, 5).join('; ');
  ctx.add(where, {
    ruleId: 'gguf-chat-template-injection',
    severity: 'error',
    confidence: hits.some((h) => /dunder|attribute access|command|code execution|obfuscated/.test(h.what)) ? 'high' : 'medium',
    offset: at,
    message: `GGUF ${key} contains Jinja sandbox-escape constructs: ${list}. Inference servers render this template with Jinja2, and an unsandboxed or escapable renderer runs such a template as code (CVE-2024-34359 in llama-cpp-python is one case).`,
  });
}
