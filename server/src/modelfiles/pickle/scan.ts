// Pickle streams → findings. Runs the symbolic machine over every stream in a region (streams
// concatenated after STOP, legacy torch's stacked pickles), classifies each import with the
// policy, attributes calls to their callables, and scans pickles nested in byte strings.
import { child, type ScanContext, type Where } from '../context';
import { classifyGlobal } from '../policy';
import { Cursor, MemorySource, ScanAbort, SliceSource, decodeUtf8, type ByteSource } from '../source';
import type { ModelFileFinding } from '../types';
import { render, runPickle, type Call, type GlobalRef, type StreamResult, type V } from './machine';
import { OP, TORCH_WEIGHTS_ONLY_OPCODES, isOpcode, opName } from './opcodes';

export interface PickleMode {
  /** The stream is loaded by torch.load: unknown imports are high and opcodes are held to weights_only's set. */
  torch: boolean;
  /** Read by TorchScript's C++ unpickler (its `__torch__` classes are not Python imports). */
  torchscript?: boolean;
  /** Report nothing unless the stream parses cleanly (tensor storages that happen to start like a pickle). */
  requireClean?: boolean;
}

export interface PickleScanResult {
  streams: number;
  clean: boolean;
  /** The first stream was legacy torch.save's magic number: the file is a pre-1.6 checkpoint. */
  legacyTorch: boolean;
}

/** Scans a nested payload (bytes handed to torch.storage._load_from_bytes, pickle.loads…). */
export type NestedScan = (src: ByteSource, where: Where, torch: boolean) => void;

const LEGACY_TORCH_MAGIC = 0x1950a86a20f9469cfc6cn;
/** Legacy torch.save writes five pickles (magic, protocol, sys info, object, storage keys), then raw storage bytes. */
const LEGACY_TORCH_STREAMS = 5;
const NESTED_LOADERS = new Set(['torch.storage._load_from_bytes', 'pickle.loads', '_pickle.loads', 'cPickle.loads', 'dill.loads', 'cloudpickle.loads', 'numpy.loads']);

export function scanPickle(ctx: ScanContext, src: ByteSource, start: number, where: Where, mode: PickleMode, nested: NestedScan): PickleScanResult {
  const cur = new Cursor(src, start);
  const results: StreamResult[] = [];
  let legacyTorch = false;
  let trailing: { offset: number; size: number } | undefined;
  const env = { tick: () => ctx.tick(), extensions: ctx.extensions };
  let aborted: ScanAbort | undefined;
  while (cur.pos < src.size) {
    ctx.checkTime();
    let res: StreamResult;
    try {
      res = runPickle(cur, env);
    } catch (e) {
      if (!(e instanceof ScanAbort) || !e.partial) throw e;
      results.push(e.partial as StreamResult);
      aborted = e;
      break;
    }
    results.push(res);
    if (res.error || !res.stopped) break;
    if (results.length === 1 && res.result?.k === 'int' && res.result.v === LEGACY_TORCH_MAGIC) legacyTorch = true;
    if (legacyTorch && results.length === LEGACY_TORCH_STREAMS) break;
    if (cur.pos >= src.size) break;
    const next = cur.peek();
    if (next !== OP.PROTO && !isOpcode(next)) {
      trailing = { offset: cur.pos, size: src.size - cur.pos };
      break;
    }
  }
  const clean = results.length > 0 && results.every((r) => r.stopped && !r.error);
  if (mode.requireClean && !clean) {
    if (aborted) throw aborted;
    return { streams: 0, clean: false, legacyTorch };
  }

  const torch = mode.torch || legacyTorch;
  results.forEach((res, i) => reportStream(ctx, src, res, i, results.length, where, { ...mode, torch }, nested));
  if (trailing && !mode.requireClean) {
    ctx.add(where, {
      ruleId: 'malformed-model-file',
      severity: 'info',
      confidence: 'medium',
      offset: trailing.offset,
      length: trailing.size,
      message: `${trailing.size} bytes after the last pickle stream (ending at offset ${trailing.offset}) are not pickle data; a loader ignores them, so they may hide a payload for another tool.`,
    });
  }
  // what was found before a budget ran out is reported above; the skip itself is reported by the caller
  if (aborted) throw aborted;
  return { streams: results.length, clean, legacyTorch };
}

function reportStream(ctx: ScanContext, src: ByteSource, res: StreamResult, index: number, count: number, where: Where, mode: PickleMode, nested: NestedScan) {
  const streamLabel = count > 1 ? ` (stream ${index + 1} of ${count}, at offset ${res.start})` : '';
  const seen = new Map<string, Omit<ModelFileFinding, 'member'> & { times: number }>();

  for (const g of res.globals) {
    const finding = globalFinding(g, res.calls, mode, streamLabel);
    ctx.addImport({ module: g.module, name: g.name, opcode: g.opcode, offset: g.offset, member: where.member, verdict: finding?.verdict ?? 'allowed' });
    if (!finding) continue;
    const key = `${finding.f.ruleId}\0${g.resolved ? finding.normalized : `?${g.offset}`}`;
    const prev = seen.get(key);
    if (prev) prev.times++;
    else seen.set(key, { ...finding.f, times: 1 });
  }
  for (const { times, ...f } of seen.values()) {
    ctx.add(where, times > 1 ? { ...f, message: `${f.message} (imported ${times} times in this stream)` } : f);
  }

  for (const a of res.anomalies) {
    if (a.kind === 'build-on-import') {
      ctx.add(where, { ruleId: 'malicious-pickle-global', severity: 'error', confidence: 'medium', offset: a.offset, opcode: a.opcode, message: `${a.message}${streamLabel}: an unpickler sets those attributes with setattr, which can overwrite module functions or class methods.` });
    } else {
      ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: a.offset, opcode: a.opcode, message: `Pickle FRAME length mismatch${streamLabel}: ${a.message}. CPython's C unpickler tolerates it, other readers do not, which is how payloads get past scanners.` });
    }
  }

  if (res.error) {
    const before = res.opCount > 1 ? ' Everything before the break was analysed: an unpickler runs it before it fails.' : '';
    ctx.add(where, {
      ruleId: 'malformed-model-file',
      severity: 'warning',
      confidence: 'high',
      offset: res.error.offset,
      opcode: res.error.opcode,
      message: `Pickle stream is broken${streamLabel} at offset ${res.error.offset}: ${res.error.message}.${before}`,
    });
  }

  if (mode.torch && !mode.torchscript) {
    const odd = [...res.opcodes].filter(([op]) => !TORCH_WEIGHTS_ONLY_OPCODES.has(op)).sort((a, b) => a[1] - b[1]);
    if (odd.length > 0) {
      ctx.add(where, {
        ruleId: 'malformed-model-file',
        severity: 'warning',
        confidence: 'medium',
        offset: odd[0][1],
        opcode: opName(odd[0][0]),
        message: `Checkpoint pickle${streamLabel} uses opcodes torch.save never writes and torch.load(weights_only=True) refuses: ${odd.map(([op, at]) => `${opName(op)} at ${at}`).join(', ')}.`,
      });
    }
  }

  for (const call of res.calls) {
    const found = nestedPayload(call);
    if (!found) continue;
    const bytes = materialize(src, found.payload);
    if (!bytes) continue;
    nested(bytes, child(where, `<bytes@${call.offset}>`), found.torch);
  }
}

interface GlobalFinding {
  f: Omit<ModelFileFinding, 'member'>;
  verdict: 'critical' | 'high' | 'unknown';
  normalized: string;
}

function globalFinding(g: GlobalRef, calls: Call[], mode: PickleMode, streamLabel: string): GlobalFinding | undefined {
  const where = `${g.opcode} at offset ${g.offset}`;
  const base = { opcode: g.opcode, offset: g.offset, module: g.module, name: g.name };
  if (!g.resolved) {
    const ext = g.opcode.startsWith('EXT');
    return {
      verdict: 'critical',
      normalized: '?',
      f: {
        ...base,
        ruleId: 'malicious-pickle-global',
        severity: 'error',
        confidence: ext ? 'medium' : 'high',
        message: `Pickle import cannot be resolved statically (${where}${streamLabel}): ${g.why}. Imports built at load time exist to hide what is called.`,
      },
    };
  }
  const c = classifyGlobal(g.module, g.name, { torchscript: mode.torchscript });
  if (c.verdict === 'allowed') return undefined;
  const shown = `${g.module}.${g.name}` === c.normalized ? c.normalized : `${g.module}.${g.name} (${c.normalized})`;
  const via = g.opcode.startsWith('EXT') ? ` through the copyreg extension registry` : '';
  const call = calls.find((x) => x.fn.k === 'global' && x.fn.g === g);
  const resultCall = calls.find((x) => x.fn.k === 'obj' && x.fn.call.fn.k === 'global' && x.fn.call.fn.g === g);
  const callText = call ? ` and invokes it with ${call.opcode} at offset ${call.offset}: ${render({ k: 'obj', call })}` : ' (not called directly)';
  const resultText = resultCall ? `; the result is called with ${resultCall.opcode} at offset ${resultCall.offset}` : '';
  const withCall = call ? { callable: c.normalized, call: { opcode: call.opcode, offset: call.offset, args: render(call.args) } } : {};
  if (c.verdict === 'unknown') {
    const torchNote = mode.torch ? '; torch.load(weights_only=True) refuses it, so loading needs weights_only=False, which runs whatever the pickle names' : '';
    return {
      verdict: 'unknown',
      normalized: c.normalized,
      f: {
        ...base,
        ...withCall,
        ruleId: 'unknown-pickle-global',
        severity: mode.torch ? 'error' : 'warning',
        confidence: 'medium',
        message: `Pickle imports ${shown}${via} (${where}${streamLabel})${callText}${resultText}. It is ${c.reason}${torchNote}.`,
      },
    };
  }
  return {
    verdict: c.verdict,
    normalized: c.normalized,
    f: {
      ...base,
      ...withCall,
      ruleId: 'malicious-pickle-global',
      severity: 'error',
      confidence: c.verdict === 'critical' ? 'high' : 'medium',
      message: `Pickle imports ${shown}${via} (${where}${streamLabel})${callText}${resultText}: ${c.reason}. Loading this file runs it.`,
    },
  };
}

/** The bytes argument of a nested loader call, when the stream holds it literally; torch's loader holds it to torch's rules. */
function nestedPayload(call: Call): { payload: V; torch: boolean } | undefined {
  if (call.fn.k !== 'global' || !call.fn.g.resolved || call.opcode !== 'REDUCE') return undefined;
  const c = classifyGlobal(call.fn.g.module, call.fn.g.name);
  if (!NESTED_LOADERS.has(c.normalized)) return undefined;
  if (call.args.k !== 'tuple' || call.args.items.length === 0) return undefined;
  return { payload: call.args.items[0], torch: c.normalized.startsWith('torch.') };
}

/**
 * Bytes a value stands for: a bytes literal, or protocol 2's spelling of bytes,
 * `_codecs.encode(<latin-1 text>, 'latin1')`, which torch.save uses.
 */
function materialize(src: ByteSource, v: V): ByteSource | undefined {
  if (v.k === 'bytes' && v.ref) return new SliceSource(src, v.ref.off, v.ref.len);
  if (v.k === 'str' && v.ref?.enc === 'raw') return new SliceSource(src, v.ref.off, v.ref.len);
  if (v.k !== 'obj' || v.call.fn.k !== 'global') return undefined;
  const { module, name } = v.call.fn.g;
  if (!((module === '_codecs' || module === 'codecs') && name === 'encode')) return undefined;
  const args = v.call.args;
  if (args.k !== 'tuple' || args.items[0]?.k !== 'str') return undefined;
  const text = args.items[0];
  const str = text.complete ? text.v : text.ref ? decodeUtf8(src.read(text.ref.off, text.ref.len)) : undefined;
  if (str === undefined) return undefined;
  const out = new Uint8Array(str.length);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xff;
  return new MemorySource(out);
}
