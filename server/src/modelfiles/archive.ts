// Containers: zip (PyTorch checkpoints, TorchScript, .npz, .keras, plain zips), tar, gzip/zlib
// streams, and compressed formats that cannot be inspected (7z, xz…). Members are handed back
// to the dispatcher one level deeper, so depth, byte, ratio and time budgets apply at every level.
import { child, type ScanContext, type Where } from './context';
import { compressorName, extensionOf, isPickleExtension } from './detect';
import { inflateBounded, inflateHead } from './inflate';
import { scanKerasConfig } from './keras';
import { isOpcode, OP } from './pickle/opcodes';
import { scanPickle, type NestedScan } from './pickle/scan';
import { MemorySource, SliceSource, startsWith, type ByteSource } from './source';
import type { ModelFormat } from './types';
import { crc32, readLocalHeader, readZipDirectory, type LocalHeader, type ZipEntry } from './zip';

export interface Hint {
  /** The bytes are loaded by torch.load (nested in a checkpoint). */
  torch?: boolean;
}

export type Dispatch = (src: ByteSource, name: string, where: Where, hint?: Hint) => ModelFormat;

const TORCH_STORAGE = /(^|\/)data\/\d+$/;
const CRC_CHECK_LIMIT = 64 * 1024 * 1024;

type Layout = 'pytorch-zip' | 'torchscript' | 'keras' | 'npz' | 'zip';

function layoutOf(names: string[]): Layout {
  const torch = names.some((n) => /(^|\/)data\.pkl$/.test(n));
  if (torch && names.some((n) => /(^|\/)code\/.+/.test(n)) && names.some((n) => /(^|\/)constants\.pkl$/.test(n))) return 'torchscript';
  if (torch) return 'pytorch-zip';
  if (names.includes('config.json') && (names.includes('metadata.json') || names.some((n) => n.endsWith('.weights.h5')))) return 'keras';
  if (names.length > 0 && names.every((n) => n.endsWith('.npy'))) return 'npz';
  return 'zip';
}

export function scanZip(ctx: ScanContext, src: ByteSource, where: Where, dispatch: Dispatch): ModelFormat {
  const dir = readZipDirectory(src, ctx, ctx.opts.maxMembers);
  const malformed = (offset: number, message: string, member?: string) =>
    ctx.add(member === undefined ? where : child(where, member), { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message });
  for (const p of dir.problems) malformed(p.offset, `Zip structure: ${p.message}.`, p.member);

  const layout = layoutOf(dir.entries.map((e) => e.name));
  const torch = layout === 'pytorch-zip' || layout === 'torchscript';
  const names = new Map<string, number>();
  for (const e of dir.entries) names.set(e.name, (names.get(e.name) ?? 0) + 1);
  for (const [name, n] of names) {
    if (n > 1) malformed(0, `Zip lists member ${name} ${n} times: readers disagree on which copy they use, so every copy is scanned.`, name);
  }
  const codeMembers: string[] = [];

  for (const e of dir.entries) {
    ctx.tick();
    if (e.name.endsWith('/')) continue;
    const at = child(where, e.name);
    if (torch && /(^|\/)code\/.+\.py$/.test(e.name)) codeMembers.push(e.name);
    const lh = readLocalHeader(src, e);
    if (!lh) {
      malformed(e.localOffset, `Zip member ${e.name}: no local header at offset ${e.localOffset}; the member was not inspected.`, e.name);
      continue;
    }
    if (lh.name !== e.name) malformed(e.localOffset, `Zip member ${e.name} is named ${JSON.stringify(lh.name)} in its local header: tools that read local headers see a different file.`, e.name);
    if (lh.method !== e.method) malformed(e.localOffset, `Zip member ${e.name}: the local header says compression method ${lh.method}, the directory ${e.method}.`, e.name);
    if (e.flags & 1) malformed(e.localOffset, `Zip member ${e.name} is flagged as encrypted: Python's zipfile refuses it without a password, so scanners built on it skip it; it was read as stored data.`, e.name);
    if (e.method === 0 && e.size !== e.compSize) malformed(e.localOffset, `Zip member ${e.name} is stored but its sizes disagree (${e.compSize} stored, ${e.size} declared).`, e.name);
    if (lh.dataOffset + e.compSize > src.size) malformed(e.localOffset, `Zip member ${e.name} claims ${e.compSize} bytes but the file ends ${lh.dataOffset + e.compSize - src.size} bytes sooner.`, e.name);
    if (e.method !== 0 && e.method !== 8) {
      ctx.add(at, { ruleId: 'model-file-skipped', severity: 'warning', confidence: 'high', offset: 0, message: `Not inspectable: zip member ${e.name} uses compression method ${e.method}, which the scanner does not decode; its contents were not checked.` });
      continue;
    }

    if (layout === 'keras' && e.name === 'config.json') {
      const data = memberBytes(ctx, src, e, lh, at, true);
      if (data) scanKerasConfig(ctx, data, at, (s, w) => dispatch(s, '<torch module>', w, { torch: true }));
      continue;
    }
    // Keras v3 keeps weights in HDF5 without any config: nothing there runs on load.
    if (layout === 'keras' && e.name.endsWith('.h5')) continue;

    // tensor storages only need their first bytes checked for a pickle header
    const head = memberHead(ctx, src, e, lh, torch && TORCH_STORAGE.test(e.name) ? 16 : 512);
    if (!head) continue;
    const isPickle = (head[0] === OP.PROTO && head[1] >= 2 && head[1] <= 5) || (isPickleExtension(extensionOf(e.name)) && head.length > 0 && isOpcode(head[0]) && !startsWith(head, 'PK'));
    if (isPickle) {
      const storage = torch && TORCH_STORAGE.test(e.name);
      const data = memberSource(ctx, src, e, lh, at, !storage);
      if (!data) continue;
      const nested: NestedScan = (s, w, t) => dispatch(s, '<bytes>', w, { torch: t });
      scanPickle(ctx, data, 0, at, { torch, torchscript: layout === 'torchscript', requireClean: storage }, nested);
      continue;
    }
    if (torch && TORCH_STORAGE.test(e.name)) continue; // raw tensor bytes
    if (looksNested(head, e.name)) {
      const data = memberSource(ctx, src, e, lh, at, true);
      if (data) dispatch(data, e.name, at, { torch });
    }
  }

  if (codeMembers.length > 0) {
    ctx.add(where, {
      ruleId: 'torchscript-code',
      severity: 'info',
      confidence: 'high',
      offset: 0,
      message: `TorchScript archive with ${codeMembers.length} code file${codeMembers.length > 1 ? 's' : ''} (${codeMembers.slice(0, 3).join(', ')}${codeMembers.length > 3 ? ', …' : ''}): torch.jit.load compiles and runs this code. Review it, or load weights from safetensors instead.`,
    });
  }
  return layout;
}

/** Formats worth a nested scan when found inside a container. */
function looksNested(head: Uint8Array, name: string): boolean {
  const ext = extensionOf(name);
  return (
    startsWith(head, 'PK\x03\x04') ||
    startsWith(head, '\x93NUMPY') ||
    startsWith(head, 'GGUF') ||
    startsWith(head, [0x1f, 0x8b]) ||
    startsWith(head, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) ||
    startsWith(head, [0x89, 0x48, 0x44, 0x46]) ||
    (head.length >= 262 && startsWith(head, 'ustar', 257)) ||
    ['.safetensors', '.onnx', '.keras', '.h5', '.npz', '.tar', '.pt', '.pth', '.bin', '.ckpt', '.pkl', '.joblib'].includes(ext)
  );
}

function memberHead(ctx: ScanContext, src: ByteSource, e: ZipEntry, lh: LocalHeader, want: number): Uint8Array | undefined {
  if (e.method === 0) return src.read(lh.dataOffset, Math.min(want, e.compSize));
  const prefix = src.read(lh.dataOffset, Math.min(4096, e.compSize));
  ctx.tick();
  return inflateHead('deflate-raw', prefix, want);
}

/** The member's (decompressed) bytes as a source: a window for stored members, memory for deflated ones. */
function memberSource(ctx: ScanContext, src: ByteSource, e: ZipEntry, lh: LocalHeader, where: Where, checkCrc: boolean): ByteSource | undefined {
  if (e.method === 0) {
    const slice = new SliceSource(src, lh.dataOffset, e.compSize);
    if (checkCrc && slice.size <= CRC_CHECK_LIMIT) {
      let crc = 0;
      for (let at = 0; at < slice.size; at += 1 << 20) {
        ctx.tick();
        crc = crc32(slice.read(at, 1 << 20), crc);
      }
      reportCrc(ctx, where, e, crc);
    }
    return slice;
  }
  const data = memberBytes(ctx, src, e, lh, where, checkCrc);
  return data ? new MemorySource(data) : undefined;
}

function memberBytes(ctx: ScanContext, src: ByteSource, e: ZipEntry, lh: LocalHeader, where: Where, checkCrc: boolean): Uint8Array | undefined {
  if (e.compSize > ctx.opts.maxMemberBytes) {
    ctx.add(where, { ruleId: 'model-file-skipped', severity: 'info', confidence: 'high', offset: 0, message: `Skipped: member is ${e.compSize} bytes, over the per-member budget of ${ctx.opts.maxMemberBytes}.` });
    return undefined;
  }
  const raw = src.read(lh.dataOffset, e.compSize);
  let data = raw;
  if (e.method === 8) {
    const r = inflateBounded(ctx, where, 'deflate-raw', raw, 0);
    if (!r.ok) return undefined;
    if (r.damaged) ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: 0, message: `Zip member's deflate data is damaged (${r.damaged}); the ${r.data.length} bytes before the damage were scanned.` });
    data = r.data;
  }
  if (checkCrc) reportCrc(ctx, where, e, crc32(data));
  return data;
}

function reportCrc(ctx: ScanContext, where: Where, e: ZipEntry, actual: number) {
  if (actual === e.crc) return;
  const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
  ctx.add(where, {
    ruleId: 'malformed-model-file',
    severity: 'warning',
    confidence: 'high',
    offset: 0,
    message: `Zip member ${e.name} has CRC-32 ${hex(actual)} but the archive records ${hex(e.crc)}: torch.load does not check it while Python's zipfile refuses the member, a known way to slip a pickle past scanners.`,
  });
}

// ---- tar (POSIX ustar / GNU / pax headers, 512-byte blocks)

export function scanTar(ctx: ScanContext, src: ByteSource, where: Where, dispatch: Dispatch): ModelFormat {
  let at = 0;
  let longName: string | undefined;
  let members = 0;
  const entries: { name: string; start: number; size: number }[] = [];
  while (at + 512 <= src.size && members < ctx.opts.maxMembers) {
    ctx.tick();
    const h = src.read(at, 512);
    if (h.every((b) => b === 0)) break;
    if (!tarChecksum(h)) {
      ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: at, message: `Tar header at offset ${at} has a bad checksum; the rest of the archive was not read.` });
      break;
    }
    const str = (from: number, len: number) => String.fromCharCode(...h.subarray(from, from + len)).replace(/\0.*$/s, '');
    const size = tarSize(h);
    const type = String.fromCharCode(h[156]);
    const prefix = startsWith(h, 'ustar', 257) ? str(345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const start = at + 512;
    if (size < 0 || start + size > src.size) {
      ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: at, message: `Tar member ${name} claims ${size} bytes beyond the end of the file.` });
      break;
    }
    if (type === 'L') longName = String.fromCharCode(...src.read(start, Math.min(size, 4096))).replace(/\0.*$/s, '');
    else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(new TextDecoder().decode(src.read(start, Math.min(size, 65536))));
      if (path) longName = path[1];
    } else if (type === '0' || type === '\0' || type === '7') {
      name = name.replace(/^\.\//, '');
      entries.push({ name, start, size });
      members++;
    }
    at = start + Math.ceil(size / 512) * 512;
  }
  // torch.save's pre-zip tar format (sys_info, pickle, storages, tensors): the pickles are checkpoint pickles
  const names = new Set(entries.map((e) => e.name));
  const legacyTorch = names.has('pickle') && names.has('sys_info');
  for (const e of entries) {
    ctx.tick();
    const data = new SliceSource(src, e.start, e.size);
    const at2 = child(where, e.name);
    const head = data.read(0, 512);
    if (legacyTorch && (e.name === 'storages' || e.name === 'tensors')) {
      scanPickle(ctx, data, 0, at2, { torch: true, requireClean: true }, (s, w, t) => dispatch(s, '<bytes>', w, { torch: t }));
    } else if (legacyTorch && head[0] === OP.PROTO) {
      scanPickle(ctx, data, 0, at2, { torch: true }, (s, w, t) => dispatch(s, '<bytes>', w, { torch: t }));
    } else if ((head[0] === OP.PROTO && head[1] >= 2 && head[1] <= 5) || looksNested(head, e.name)) {
      dispatch(data, e.name, at2, { torch: legacyTorch });
    }
  }
  return legacyTorch ? 'pytorch-legacy' : 'tar';
}

function tarChecksum(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i];
  const stored = parseInt(String.fromCharCode(...h.subarray(148, 156)).replace(/\0/g, ' ').trim() || 'x', 8);
  return stored === sum;
}

function tarSize(h: Uint8Array): number {
  if (h[124] & 0x80) {
    // GNU base-256 size for members over 8 GiB
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i];
    return n;
  }
  const text = String.fromCharCode(...h.subarray(124, 136)).replace(/\0/g, ' ').trim();
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : -1;
}

// ---- single compressed streams (gzip, zlib as used by joblib)

export function scanCompressedStream(ctx: ScanContext, src: ByteSource, name: string, where: Where, codec: 'gzip' | 'zlib', dispatch: Dispatch, hint: Hint): ModelFormat {
  const format: ModelFormat = codec;
  if (src.size > ctx.opts.maxMemberBytes) {
    ctx.add(where, { ruleId: 'model-file-skipped', severity: 'info', confidence: 'high', offset: 0, message: `Skipped: ${codec} stream of ${src.size} bytes is over the per-member budget of ${ctx.opts.maxMemberBytes}; its contents were not inspected.` });
    return format;
  }
  const r = inflateBounded(ctx, where, codec, src.read(0, src.size), 0);
  if (!r.ok) return format;
  if (r.damaged) ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: 0, message: `${codec} stream is damaged (${r.damaged}); the ${r.data.length} bytes before the damage were scanned.` });
  const base = name.replace(/\\/g, '/').split('/').pop() ?? name;
  // a gzip's inner name is its own minus .gz; joblib's zlib stream keeps the file's name (and format hint)
  const stripped = base.replace(/\.tgz$/i, '.tar').replace(/\.gz$/i, '');
  const inner = codec === 'zlib' ? base : stripped !== base && stripped !== '' ? stripped : '<gzip>';
  const label = codec === 'zlib' ? '<zlib>' : inner;
  dispatch(new MemorySource(r.data), inner, child(where, label), hint);
  return format;
}

export function notInspectable(ctx: ScanContext, head: Uint8Array, where: Where, format: ModelFormat): string {
  const kind = format === '7z' ? '7z archive' : `${compressorName(head)} stream`;
  ctx.add(where, {
    ruleId: 'model-file-skipped',
    severity: 'warning',
    confidence: 'high',
    offset: 0,
    message: `Not inspectable: ${kind}. The scanner has no decoder for it, so whatever it holds (a pickle, a checkpoint) was not checked; malicious models have been shipped this way to get past scanners.`,
  });
  return `not inspectable: ${kind}`;
}

