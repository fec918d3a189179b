// safetensors header validation (format: huggingface/safetensors README, "Format"): an 8-byte
// little-endian header length N, N bytes of UTF-8 JSON, then the tensor data. The format holds
// no code, so what matters is that the header is exactly what the reference loader accepts:
// anything looser is either a parser exploit attempt or a polyglot carrying another payload.
import { child, type ScanContext, type Where } from './context';
import { SAFETENSORS_MAX_HEADER } from './detect';
import { parseJson, JsonError, member, type JsonNode } from './json';
import { SliceSource, decodeUtf8Strict, readU64LE, startsWith, type ByteSource } from './source';

/** Bits per element of each dtype the reference implementation knows. */
const DTYPE_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16,
  I32: 32, U32: 32, F32: 32, F64: 64, I64: 64, U64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};
const MAX_REPORTS = 10;

/** Scans bytes hidden after the tensor data (a polyglot's second payload). */
export type TrailingScan = (src: ByteSource, where: Where) => void;

export function scanSafetensors(ctx: ScanContext, src: ByteSource, where: Where, trailing?: TrailingScan): void {
  let reports = 0;
  const invalid = (offset: number, message: string, severity: 'error' | 'warning' = 'warning') => {
    if (reports++ < MAX_REPORTS) ctx.add(where, { ruleId: 'safetensors-header-invalid', severity, confidence: 'high', offset, message: `safetensors header is invalid: ${message}.` });
  };
  const pre = src.read(0, 8);
  if (pre.length < 8) return invalid(0, 'the file is shorter than the 8-byte header length');
  const n = readU64LE(pre, 0);
  if (n > SAFETENSORS_MAX_HEADER) return invalid(0, `the header length ${n} exceeds the 100 MB the reference loader accepts`);
  if (8 + n > src.size) return invalid(0, `the header length ${n} runs past the end of the file (${src.size} bytes)`);
  const raw = src.read(8, n);
  const text = decodeUtf8Strict(raw);
  if (text === undefined) return invalid(8, 'the header is not valid UTF-8');
  let root: JsonNode;
  try {
    const r = parseJson(raw, 0, { whole: true });
    root = r.node;
    for (const d of r.duplicates) invalid(8 + d.offset, `key ${JSON.stringify(d.key)} appears twice (parsers disagree on which one wins)`);
  } catch (e) {
    return invalid(8 + (e instanceof JsonError ? e.offset : 0), `the header is not valid JSON (${(e as Error).message})`);
  }
  if (root.t !== 'object') return invalid(8, 'the header is not a JSON object');

  const dataStart = 8 + n;
  const dataLen = src.size - dataStart;
  const spans: { name: string; begin: number; end: number; at: number }[] = [];
  for (const { key, keyAt, value } of root.entries) {
    ctx.tick();
    const at = 8 + keyAt;
    if (key === '__metadata__') {
      if (value.t !== 'object') invalid(at, '__metadata__ is not an object');
      else if (value.entries.some((e) => e.value.t !== 'string')) invalid(at, '__metadata__ must map strings to strings only');
      continue;
    }
    if (value.t !== 'object') {
      invalid(at, `tensor ${JSON.stringify(key)} is not an object`);
      continue;
    }
    const dtype = member(value, 'dtype');
    const shape = member(value, 'shape');
    const offsets = member(value, 'data_offsets');
    const bits = dtype?.t === 'string' ? DTYPE_BITS[dtype.v] : undefined;
    if (bits === undefined) {
      invalid(at, `tensor ${JSON.stringify(key)} has unknown dtype ${dtype?.t === 'string' ? dtype.v : JSON.stringify(dtype?.t)}`);
      continue;
    }
    if (shape?.t !== 'array' || !shape.items.every((d) => d.t === 'number' && Number.isSafeInteger(d.v) && d.v >= 0)) {
      invalid(at, `tensor ${JSON.stringify(key)} has a shape that is not a list of non-negative integers`);
      continue;
    }
    if (offsets?.t !== 'array' || offsets.items.length !== 2 || !offsets.items.every((d) => d.t === 'number' && Number.isSafeInteger(d.v) && d.v >= 0)) {
      invalid(at, `tensor ${JSON.stringify(key)} has data_offsets that are not two non-negative integers`);
      continue;
    }
    const [begin, end] = offsets.items.map((d) => (d as { v: number }).v);
    if (end < begin) {
      invalid(at, `tensor ${JSON.stringify(key)} ends (${end}) before it begins (${begin})`);
      continue;
    }
    const elements = shape.items.reduce((a, d) => a * BigInt((d as { v: number }).v), 1n);
    const bytes = elements * BigInt(bits);
    if (bytes % 8n !== 0n || bytes / 8n !== BigInt(end - begin)) {
      invalid(at, `tensor ${JSON.stringify(key)}: ${elements} elements of ${dtype?.t === 'string' ? dtype.v : ''} need ${Number(bytes) / 8} bytes but data_offsets span ${end - begin}`);
      continue;
    }
    spans.push({ name: key, begin, end, at });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const s of spans) {
    if (s.begin < expected) invalid(s.at, `tensor ${JSON.stringify(s.name)} [${s.begin}, ${s.end}) overlaps the previous tensor, which ends at ${expected}`);
    else if (s.begin > expected) invalid(s.at, `there is a gap of ${s.begin - expected} bytes before tensor ${JSON.stringify(s.name)}`);
    expected = Math.max(expected, s.end);
  }
  if (expected > dataLen) invalid(dataStart, `tensors need ${expected} bytes of data but the file holds ${dataLen}`);
  else if (expected < dataLen) {
    const tail = src.read(dataStart + expected, 8);
    const hidden = (tail[0] === 0x80 && tail[1] >= 2 && tail[1] <= 5) || startsWith(tail, 'PK\x03\x04') || startsWith(tail, [0x1f, 0x8b]);
    invalid(
      dataStart + expected,
      hidden
        ? `${dataLen - expected} bytes after the last tensor start like a pickle or an archive: a second payload hidden in a "safe" file`
        : `${dataLen - expected} bytes after the last tensor belong to no tensor`,
      hidden ? 'error' : 'warning',
    );
    if (hidden && trailing) trailing(new SliceSource(src, dataStart + expected, dataLen - expected), child(where, `<trailing@${dataStart + expected}>`));
  }
  if (reports > MAX_REPORTS) ctx.add(where, { ruleId: 'safetensors-header-invalid', severity: 'warning', confidence: 'high', offset: 8, message: `safetensors header is invalid: ${reports - MAX_REPORTS} further problems not listed.` });
}
