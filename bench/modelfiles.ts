// Model-file scanner bench, part of `npm run bench`; also on its own:
//   node --import tsx bench/modelfiles.ts [--size-mb 1024] [--keep] [--json]
// Builds synthetic model files in a temp dir — a 1 GB PyTorch checkpoint (stored zip; tensor
// storages written as sparse holes), a 1 GB safetensors file (sparse data), and a dense 64 MB
// pickle (millions of small opcodes, streamed writes) — scans each, and prints wall time,
// throughput over the file size, bytes actually read and peak RSS. Files are deleted afterwards.
// Run in its own process so that the peak RSS is the readers' own.
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanModelFile } from '../server/src/modelfiles/index';
import { crc32 } from '../server/src/modelfiles/zip';
import { MB, ownPeakRssMb } from './measure';


const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const le64 = (n: number) => [...le32(n % 0x100000000), ...le32(Math.floor(n / 0x100000000))];
const bin = (...parts: (string | number[] | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
const bu = (s: string) => bin([0x58, ...le32(Buffer.byteLength(s))], s);
const glob = (m: string, n: string) => bin(`c${m}\n${n}\n`);

/** torch.save-style state dict pickle: `count` tensors, tensor i backed by storage key `i` of `numel` floats. */
function statePickle(count: number, numel: number): Buffer {
  const parts: Buffer[] = [bin([0x80, 0x02]), glob('collections', 'OrderedDict'), bin([0x29, 0x52, 0x28])];
  for (let i = 0; i < count; i++) {
    const storage = bin([0x28], bu('storage'), glob('torch', 'FloatStorage'), bu(String(i)), bu('cpu'), [0x4a, ...le32(numel), 0x74, 0x51]);
    const tensor = bin(glob('torch._utils', '_rebuild_tensor_v2'), [0x28], storage, [0x4b, 0], [0x4a, ...le32(numel), 0x85], [0x4b, 1, 0x85, 0x89], glob('collections', 'OrderedDict'), [0x29, 0x52, 0x74, 0x52]);
    parts.push(bu(`layers.${i}.weight`), tensor);
  }
  parts.push(bin([0x75, 0x2e]));
  return Buffer.concat(parts);
}

/** A stored zip laid out like torch.save output; storage bytes are holes (sparse) so building it is fast. */
function buildCheckpoint(path: string, totalBytes: number, tensors: number) {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let pos = 0;
  const perStorage = Math.floor(totalBytes / tensors / 4) * 4;
  const add = (name: string, data: Buffer | null, size: number, crc: number) => {
    const zip64 = size >= 0xffffffff || pos >= 0xffffffff;
    const local = bin([0x50, 0x4b, 0x03, 0x04, ...le16(45), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21), ...le32(crc), ...le32(size), ...le32(size), ...le16(name.length), ...le16(0)], name);
    const extra = zip64 ? bin([...le16(1), ...le16(8), ...le64(pos)]) : Buffer.alloc(0);
    central.push(bin([0x50, 0x4b, 0x01, 0x02, ...le16(45), ...le16(45), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21), ...le32(crc), ...le32(size), ...le32(size), ...le16(name.length), ...le16(extra.length), ...le16(0), ...le16(0), ...le16(0), ...le32(0), ...le32(zip64 ? 0xffffffff : pos)], name, extra));
    writeSync(fd, local, 0, local.length, pos);
    pos += local.length;
    if (data) writeSync(fd, data, 0, data.length, pos);
    else ftruncateSync(fd, pos + size);
    pos += size;
  };
  const pkl = statePickle(tensors, perStorage / 4);
  add('archive/data.pkl', pkl, pkl.length, crc32(pkl));
  add('archive/byteorder', Buffer.from('little'), 6, crc32(Buffer.from('little')));
  for (let i = 0; i < tensors; i++) add(`archive/data/${i}`, null, perStorage, 0);
  add('archive/version', Buffer.from('3\n'), 2, crc32(Buffer.from('3\n')));
  const cd = Buffer.concat(central);
  const end = bin([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, ...le16(central.length), ...le16(central.length), ...le32(cd.length), ...le32(pos >= 0xffffffff ? 0xffffffff : pos), 0, 0]);
  writeSync(fd, Buffer.concat([cd, end]), 0, cd.length + end.length, pos);
  closeSync(fd);
}

function buildSafetensors(path: string, totalBytes: number, tensors: number) {
  const per = Math.floor(totalBytes / tensors / 4) * 4;
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  for (let i = 0; i < tensors; i++) header[`layers.${i}.weight`] = { dtype: 'F32', shape: [per / 4], data_offsets: [i * per, (i + 1) * per] };
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (text.length % 8)) % 8);
  const fd = openSync(path, 'w');
  writeSync(fd, bin(le64(text.length), text));
  ftruncateSync(fd, 8 + text.length + per * tensors);
  closeSync(fd);
}

function buildDensePickle(path: string, bytes: number) {
  const fd = openSync(path, 'w');
  writeSync(fd, bin([0x80, 0x04, 0x5d])); // a list of many small ints, in APPENDS batches as pickle writes them
  const batch = bin([0x28], Buffer.from(Array.from({ length: 1000 }, (_, i) => [0x4b, i & 0xff]).flat()), [0x65]);
  const chunk = Buffer.concat(Array.from({ length: 512 }, () => batch));
  for (let written = 0; written < bytes; written += chunk.length) writeSync(fd, chunk);
  writeSync(fd, bin([0x2e]));
  closeSync(fd);
}

export interface ModelFileRow {
  file: string;
  format: string;
  sizeMb: number;
  ms: number;
  mbPerS: number;
  readMb: number;
  peakRssMb: number;
  findings: number;
  skipped?: string;
}

function measure(label: string, path: string, options = {}): ModelFileRow {
  const size = statSync(path).size;
  const t = performance.now();
  const report = scanModelFile(path, { maxBytes: 2048 * MB, timeBudgetMs: 120_000, ...options });
  const ms = performance.now() - t;
  return { file: label, format: report.format, sizeMb: size / MB, ms, mbPerS: (size / MB / ms) * 1000, readMb: report.bytesRead / MB, peakRssMb: ownPeakRssMb(), findings: report.findings.length, skipped: report.skipped };
}

function print(r: ModelFileRow) {
  console.log(
    `${r.file.padEnd(34)} ${r.sizeMb.toFixed(0).padStart(6)} MB  ${r.ms.toFixed(0).padStart(6)} ms  ${r.mbPerS.toFixed(0).padStart(8)} MB/s of file  ` +
      `${r.readMb.toFixed(2).padStart(8)} MB read (${((r.readMb / r.ms) * 1000).toFixed(0)} MB/s)  peak RSS ${r.peakRssMb.toFixed(0)} MB  ` +
      `format ${r.format}, ${r.findings} findings${r.skipped ? `, skipped: ${r.skipped}` : ''}`,
  );
}

export function benchModelFiles(sizeMb = 1024, keep = false): { dir: string; rows: ModelFileRow[] } {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-bench-'));
  const rows: ModelFileRow[] = [];
  try {
    const ckpt = join(dir, 'checkpoint.pt');
    buildCheckpoint(ckpt, sizeMb * MB, 512);
    rows.push(measure('PyTorch checkpoint, 512 tensors', ckpt));
    const st = join(dir, 'model.safetensors');
    buildSafetensors(st, sizeMb * MB, 512);
    rows.push(measure('safetensors, 512 tensors', st));
    const dense = join(dir, 'dense.pkl');
    buildDensePickle(dense, 64 * MB);
    rows.push(measure('dense pickle (32M small opcodes)', dense));
    rows.push(measure('dense pickle, 16 MB byte budget', dense, { maxBytes: 16 * MB }));
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
  return { dir, rows };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const sizeMb = Number(args[args.indexOf('--size-mb') + 1]) || 1024;
  const { dir, rows } = benchModelFiles(sizeMb, args.includes('--keep'));
  if (args.includes('--json')) console.log(JSON.stringify(rows));
  else {
    console.log(`model-file scanner bench (node ${process.version}), files in ${dir}`);
    rows.forEach(print);
  }
}
