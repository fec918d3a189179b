// ONNX models are protobuf ModelProto messages (onnx/onnx.proto3). A minimal wire-format reader
// (varint, 64-bit, length-delimited, 32-bit fields) walks just the fields that matter and skips
// the rest unread, so multi-gigabyte initializers cost nothing:
//   - operator domains outside the standard ones need custom-op libraries; `ai.onnx.contrib`
//     is onnxruntime-extensions, whose Python ops (@onnx_op / PyOp) call Python functions;
//   - `external_data` locations that climb out of the model directory or are absolute make the
//     loader read arbitrary files (path traversal).
import type { ScanContext, Where } from './context';
import { Cursor, ScanAbort, Truncated, decodeUtf8, type ByteSource } from './source';

const STANDARD_DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml', 'com.microsoft', 'ai.onnx.preview.training', 'ai.onnx.training']);
const MAX_NESTING = 64;

class Bad extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

interface Field {
  no: number;
  wire: number;
  at: number;
  /** For length-delimited fields: the payload range. */
  start: number;
  end: number;
  varint?: bigint;
}

function varint(cur: Cursor): bigint {
  let v = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    const b = cur.u8();
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
  }
  throw new Bad(cur.pos, 'varint longer than 10 bytes');
}

/** Fields of the message in [start, end); payloads are not read. */
function* fields(cur: Cursor, start: number, end: number): Generator<Field> {
  cur.pos = start;
  while (cur.pos < end) {
    const at = cur.pos;
    const tag = varint(cur);
    const no = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (no === 0) throw new Bad(at, 'field number 0');
    let f: Field;
    if (wire === 0) f = { no, wire, at, start: at, end: at, varint: varint(cur) };
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (cur.pos + n > end) throw new Bad(at, 'fixed-width field runs past its message');
      f = { no, wire, at, start: cur.pos, end: cur.pos + n };
      cur.skip(n);
    } else if (wire === 2) {
      const len = varint(cur);
      if (len > BigInt(end - cur.pos)) throw new Bad(at, `field ${no} of ${len} bytes runs past its message`);
      f = { no, wire, at, start: cur.pos, end: cur.pos + Number(len) };
      cur.skip(Number(len));
    } else throw new Bad(at, `unsupported wire type ${wire}`);
    const resume = cur.pos;
    yield f;
    cur.pos = resume;
  }
}

export function scanOnnx(ctx: ScanContext, src: ByteSource, where: Where): void {
  const cur = new Cursor(src);
  const text = (f: Field) => decodeUtf8(src.read(f.start, Math.min(f.end - f.start, 4096)));
  const opsets: { domain: string; at: number }[] = [];
  const nodes: { domain: string; op: string; at: number }[] = [];
  const functions = new Set<string>();
  const functionDomains = new Set<string>();
  let reports = 0;
  const unsafe = (offset: number, severity: 'error' | 'warning', message: string) => {
    if (reports++ < 20) ctx.add(where, { ruleId: 'onnx-unsafe-reference', severity, confidence: 'high', offset, message });
  };

  const tensor = (start: number, end: number) => {
    let name = '';
    for (const f of fields(cur, start, end)) {
      if (f.no === 8 && f.wire === 2) name = text(f);
      if (f.no === 13 && f.wire === 2) {
        let key = '';
        let value: Field | undefined;
        for (const g of fields(cur, f.start, f.end)) {
          if (g.no === 1 && g.wire === 2) key = text(g);
          if (g.no === 2 && g.wire === 2) value = g;
        }
        if (key === 'location' && value) {
          const location = text(value);
          const why = unsafeLocation(location);
          if (why) unsafe(value.start, 'error', `ONNX tensor ${JSON.stringify(name)} keeps its data in ${JSON.stringify(location)}, ${why}: loading the model reads that file (path traversal).`);
        }
      }
    }
  };
  const node = (start: number, end: number, depth: number) => {
    let domain = '';
    let op = '';
    for (const f of fields(cur, start, end)) {
      if (f.no === 4 && f.wire === 2) op = text(f);
      else if (f.no === 7 && f.wire === 2) domain = text(f);
      else if (f.no === 5 && f.wire === 2) attribute(f.start, f.end, depth);
    }
    nodes.push({ domain, op, at: start });
  };
  const attribute = (start: number, end: number, depth: number) => {
    for (const f of fields(cur, start, end)) {
      if (f.wire !== 2) continue;
      if (f.no === 5 || f.no === 8) tensor(f.start, f.end); // t, tensors
      else if (f.no === 6 || f.no === 10) graph(f.start, f.end, depth + 1); // g, graphs (If/Loop/Scan bodies)
      else if (f.no === 11 || f.no === 23) sparse(f.start, f.end);
    }
  };
  const sparse = (start: number, end: number) => {
    for (const f of fields(cur, start, end)) if ((f.no === 1 || f.no === 2) && f.wire === 2) tensor(f.start, f.end);
  };
  const graph = (start: number, end: number, depth: number) => {
    if (depth > MAX_NESTING) throw new Bad(start, `subgraphs nested deeper than ${MAX_NESTING}`);
    for (const f of fields(cur, start, end)) {
      ctx.tick();
      if (f.wire !== 2) continue;
      if (f.no === 1) node(f.start, f.end, depth);
      else if (f.no === 5) tensor(f.start, f.end);
      else if (f.no === 15) sparse(f.start, f.end);
    }
  };
  const opset = (start: number, end: number) => {
    for (const f of fields(cur, start, end)) if (f.no === 1 && f.wire === 2) opsets.push({ domain: text(f), at: start });
  };
  const fn = (start: number, end: number) => {
    let name = '';
    let domain = '';
    for (const f of fields(cur, start, end)) {
      if (f.wire !== 2) continue;
      if (f.no === 1) name = text(f);
      else if (f.no === 10) domain = text(f);
      else if (f.no === 7) node(f.start, f.end, 1);
      else if (f.no === 9) opset(f.start, f.end);
    }
    functions.add(`${domain}\0${name}`);
    functionDomains.add(domain);
  };

  try {
    let sawGraph = false;
    for (const f of fields(cur, 0, src.size)) {
      ctx.tick();
      if (f.no === 7 && f.wire === 2) {
        sawGraph = true;
        graph(f.start, f.end, 0);
      } else if (f.no === 8 && f.wire === 2) opset(f.start, f.end);
      else if (f.no === 25 && f.wire === 2) fn(f.start, f.end);
      else if (f.no === 20 && f.wire === 2) {
        for (const g of fields(cur, f.start, f.end)) if ((g.no === 1 || g.no === 2) && g.wire === 2) graph(g.start, g.end, 1);
      }
    }
    if (!sawGraph) ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'medium', offset: 0, message: 'ONNX model has no graph: this is not a usable ModelProto.' });
  } catch (e) {
    if (e instanceof ScanAbort) throw e;
    const offset = e instanceof Bad || e instanceof Truncated ? e.offset : 0;
    ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message: `ONNX protobuf is malformed at offset ${offset}: ${(e as Error).message}.` });
  }

  const seenOps = new Set<string>();
  for (const n of nodes) {
    if (STANDARD_DOMAINS.has(n.domain) || n.domain.startsWith('com.microsoft.') || functions.has(`${n.domain}\0${n.op}`)) continue;
    const key = `${n.domain}\0${n.op}`;
    if (seenOps.has(key)) continue;
    seenOps.add(key);
    unsafe(
      n.at,
      'warning',
      n.domain === 'ai.onnx.contrib'
        ? `ONNX node ${n.op} is in ai.onnx.contrib (onnxruntime-extensions), whose Python custom ops (PyOp / @onnx_op) run Python functions registered in the loading process.`
        : `ONNX node ${n.op} uses custom operator domain ${JSON.stringify(n.domain)}: running the model needs a custom-op library, native code from outside the model file.`,
    );
  }
  const usedDomains = new Set(nodes.map((n) => n.domain));
  for (const o of opsets) {
    if (STANDARD_DOMAINS.has(o.domain) || o.domain.startsWith('com.microsoft.') || functionDomains.has(o.domain) || usedDomains.has(o.domain)) continue;
    unsafe(o.at, 'warning', `ONNX model imports custom operator domain ${JSON.stringify(o.domain)}: running it needs a custom-op library, native code from outside the model file.`);
  }
}

function unsafeLocation(location: string): string | undefined {
  const p = location.replace(/\\/g, '/');
  if (p.split('/').includes('..')) return 'a path that climbs out of the model directory';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'an absolute path';
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return 'a URL';
  if (p.includes('\0')) return 'a path with a NUL byte';
  return undefined;
}
