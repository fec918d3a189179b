// The model-file scanner under hostile input: a seeded fuzz run over mutated fixtures and random
// bytes (never throws, never hangs, never reads past its byte budget), and synthetic large files
// proving that big checkpoints are streamed within budget instead of read whole.
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync, ftruncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { scanModelBytes, scanModelFile, type ModelScanOptions } from '../../server/src/modelfiles/index';
import { crc32 } from '../../server/src/modelfiles/zip';
import { seededRandom } from '../harness/random';

const FILES = join(__dirname, '..', 'fixtures', 'model-files', 'files');


const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x28, 0x2e, 0x30, 0x63, 0x93, 0x94, 0x95, 0x52, 0x81, 0x92, 0x62, 0x0a, 0x50, 0x4b];

function mutate(input: Uint8Array, rand: () => number): Uint8Array {
  let out = Uint8Array.from(input);
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * Math.max(1, out.length));
    switch (Math.floor(rand() * 7)) {
      case 0: // flip bits
        if (out.length) out[at] ^= 1 << Math.floor(rand() * 8);
        break;
      case 1: // interesting byte
        if (out.length) out[at] = INTERESTING[Math.floor(rand() * INTERESTING.length)];
        break;
      case 2: // truncate
        out = out.subarray(0, at);
        break;
      case 3: {
        // insert random bytes
        const ins = Uint8Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256));
        out = Uint8Array.from([...out.subarray(0, at), ...ins, ...out.subarray(at)]);
        break;
      }
      case 4: {
        // duplicate a chunk (repeated headers, nested structures)
        const len = Math.floor(rand() * 64);
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at, at + len), ...out.subarray(at)]);
        break;
      }
      case 5: // huge little-endian length
        for (let k = 0; k < 4 && at + k < out.length; k++) out[at + k] = 0xff;
        break;
      default: // zero a run
        out.fill(0, at, at + Math.floor(rand() * 32));
    }
  }
  return out;
}

const MAGICS = ['\x80\x04\x95', '\x80\x02c', 'PK\x03\x04', 'GGUF\x03\x00\x00\x00', '\x93NUMPY\x01\x00', '\x89HDF\r\n\x1a\n', '\x1f\x8b\x08', '(c', '\x08\x07\x12'];

describe('fuzz: mutated fixtures and random bytes', () => {
  const fixtures = readdirSync(FILES)
    .sort()
    .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(FILES, f))) }));
  const options: ModelScanOptions = { maxBytes: 256 * 1024, maxInflatedBytes: 2 * 1024 * 1024, maxMemberBytes: 1024 * 1024, timeBudgetMs: 1000 };
  const ITERATIONS = 3000;

  it(`survives ${ITERATIONS} seeded mutations without throwing, hanging or over-reading`, () => {
    const rand = seededRandom(0xa1e10c);
    const started = performance.now();
    let slowest = 0;
    let findings = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      let name: string;
      let bytes: Uint8Array;
      if (i % 10 === 9) {
        // random bytes behind a model magic
        const magic = MAGICS[Math.floor(rand() * MAGICS.length)];
        name = `random${i}.bin`;
        bytes = Uint8Array.from([...Buffer.from(magic, 'latin1'), ...Array.from({ length: Math.floor(rand() * 2048) }, () => Math.floor(rand() * 256))]);
      } else {
        const f = fixtures[Math.floor(rand() * fixtures.length)];
        name = f.name;
        bytes = mutate(f.bytes, rand);
      }
      const t = performance.now();
      let report;
      try {
        report = scanModelBytes(bytes, name, options);
      } catch (e) {
        assert.fail(`iteration ${i} (${name}) threw: ${(e as Error).stack}`);
      }
      const took = performance.now() - t;
      slowest = Math.max(slowest, took);
      assert.ok(took < 1000 + 500, `iteration ${i} (${name}) took ${took.toFixed(0)} ms`);
      assert.ok(report.bytesRead <= options.maxBytes!, `iteration ${i} read ${report.bytesRead} bytes`);
      for (const f of report.findings) {
        assert.ok(Number.isInteger(f.offset) && f.offset >= 0 && typeof f.message === 'string', `iteration ${i} (${name}): ${JSON.stringify(f)}`);
      }
      findings += report.findings.length;
    }
    const total = performance.now() - started;
    console.log(`# fuzz: ${ITERATIONS} inputs in ${total.toFixed(0)} ms (slowest ${slowest.toFixed(1)} ms), ${findings} findings`);
    assert.ok(total < 20_000);
  });

  it('stops at the time budget on a pickle that never ends', () => {
    // 2 million cheap opcodes (NONE, POP) and no STOP: the time budget must cut in
    const body = Buffer.alloc(4_000_000);
    for (let i = 0; i < body.length; i += 2) (body[i] = 0x4e), (body[i + 1] = 0x30);
    const bytes = Buffer.concat([Buffer.from([0x80, 0x04]), body]);
    const report = scanModelBytes(bytes, 'slow.pkl', { timeBudgetMs: 5 });
    assert.ok(report.skipped === undefined || /time budget/.test(report.skipped));
  });
});

// ---- large files, built sparse or streamed into a temp dir

const tmp = mkdtempSync(join(tmpdir(), 'airlock-large-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MB = 1024 * 1024;
const le16 = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u64le = (n: number) => [...le32(n % 0x100000000), ...le32(Math.floor(n / 0x100000000))];
const bin = (...parts: (string | number[] | Buffer)[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.isBuffer(p) ? p : Buffer.from(p))));
const bu = (s: string) => bin([0x58, ...le32(Buffer.byteLength(s))], s);
const glob = (m: string, n: string) => bin(`c${m}\n${n}\n`);

/** A torch.save-style data.pkl: {'weight': tensor(storage '0', numel), 'hook': os.system('id')}. */
function checkpointPickle(numel: number): Buffer {
  const storage = bin([0x28], bu('storage'), glob('torch', 'FloatStorage'), bu('0'), bu('cpu'), [0x4a, ...le32(numel), 0x74, 0x51]);
  const tensor = bin(glob('torch._utils', '_rebuild_tensor_v2'), [0x28], storage, [0x4b, 0], [0x4a, ...le32(numel), 0x85], [0x4b, 1, 0x85, 0x89], glob('collections', 'OrderedDict'), [0x29, 0x52, 0x74, 0x52]);
  const hook = bin(glob('os', 'system'), bu('id'), [0x85, 0x52]);
  return bin([0x80, 0x02, 0x7d, 0x28], bu('weight'), tensor, bu('hook'), hook, [0x75, 0x2e]);
}

/** Writes a stored-zip checkpoint whose storage member is `storageBytes` long, as a sparse hole. */
function writeSparseCheckpoint(path: string, storageBytes: number) {
  const fd = openSync(path, 'w');
  const central: Buffer[] = [];
  let pos = 0;
  const member = (name: string, data: Buffer | null, size: number, crc: number) => {
    const local = bin([0x50, 0x4b, 0x03, 0x04, ...le16(20), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21), ...le32(crc), ...le32(size), ...le32(size), ...le16(name.length), ...le16(0)], name);
    central.push(bin([0x50, 0x4b, 0x01, 0x02, ...le16(20), ...le16(20), ...le16(0), ...le16(0), ...le16(0), ...le16(0x21), ...le32(crc), ...le32(size), ...le32(size), ...le16(name.length), ...le16(0), ...le16(0), ...le16(0), ...le16(0), ...le32(0), ...le32(pos)], name));
    writeSync(fd, local, 0, local.length, pos);
    pos += local.length;
    if (data) writeSync(fd, data, 0, data.length, pos);
    else ftruncateSync(fd, pos + size); // a hole: the storage bytes are never written (nor read)
    pos += size;
  };
  const pkl = checkpointPickle(storageBytes / 4);
  member('archive/data.pkl', pkl, pkl.length, crc32(pkl));
  member('archive/version', Buffer.from('3\n'), 2, crc32(Buffer.from('3\n')));
  // the scanner does not checksum tensor storages (torch does not either); 0 is recorded here
  member('archive/data/0', null, storageBytes, 0);
  const cd = Buffer.concat(central);
  const end = bin([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, ...le16(central.length), ...le16(central.length), ...le32(cd.length), ...le32(pos), 0, 0]);
  writeSync(fd, Buffer.concat([cd, end]), 0, cd.length + end.length, pos);
  closeSync(fd);
}

describe('large files are streamed within budget', () => {
  it('a 200 MB checkpoint is scanned reading a few KB (the tensor data is skipped, not read)', () => {
    const path = join(tmp, 'big.pt');
    writeSparseCheckpoint(path, 200 * MB);
    assert.ok(statSync(path).size > 200 * MB);
    const rss = process.memoryUsage().rss;
    const t = performance.now();
    const report = scanModelFile(path, { maxBytes: 1 * MB });
    const ms = performance.now() - t;
    assert.equal(report.skipped, undefined);
    assert.equal(report.format, 'pytorch-zip');
    assert.deepEqual(
      report.findings.map((f) => `${f.ruleId} ${f.module}.${f.name} ${f.member}`),
      ['malicious-pickle-global os.system archive/data.pkl'],
    );
    assert.ok(report.bytesRead < 64 * 1024, `read ${report.bytesRead} bytes`);
    assert.ok(process.memoryUsage().rss - rss < 64 * MB);
    console.log(`# 200 MB sparse checkpoint: ${ms.toFixed(1)} ms, ${report.bytesRead} bytes read, ${((statSync(path).size / MB / ms) * 1000).toFixed(0)} MB/s of file`);
  });

  it('a pickle with a 200 MB byte string is scanned past it without reading it', () => {
    const path = join(tmp, 'blob.pkl');
    const fd = openSync(path, 'w');
    const head = bin([0x80, 0x04, 0x8e, ...u64le(200 * MB)]);
    writeSync(fd, head, 0, head.length, 0);
    const tail = bin([0x30], glob('os', 'system'), bu('id'), [0x85, 0x52, 0x2e]);
    writeSync(fd, tail, 0, tail.length, head.length + 200 * MB);
    closeSync(fd);
    const report = scanModelFile(path, { maxBytes: 1 * MB });
    assert.equal(report.skipped, undefined);
    assert.deepEqual(report.findings.map((f) => `${f.ruleId} ${f.module}.${f.name}`), ['malicious-pickle-global os.system']);
    assert.ok(report.bytesRead < 256 * 1024, `read ${report.bytesRead} bytes`);
  });

  it('a dense 64 MB pickle over a 2 MB budget is "skipped: too large", keeping what was found before', () => {
    const path = join(tmp, 'dense.pkl');
    const fd = openSync(path, 'w');
    const start = bin([0x80, 0x04], glob('os', 'system'), bu('id'), [0x85, 0x52, 0x30]);
    writeSync(fd, start);
    const chunk = Buffer.alloc(3 * 349_525);
    for (let i = 0; i < chunk.length; i += 3) (chunk[i] = 0x4b), (chunk[i + 1] = 1), (chunk[i + 2] = 0x30); // BININT1 1, POP
    for (let written = 0; written < 64 * MB; written += chunk.length) writeSync(fd, chunk);
    writeSync(fd, Buffer.from([0x4e, 0x2e]));
    closeSync(fd);
    const t = performance.now();
    const report = scanModelFile(path, { maxBytes: 2 * MB });
    const ms = performance.now() - t;
    assert.match(report.skipped ?? '', /^too large/);
    assert.ok(report.bytesRead <= 2 * MB);
    assert.deepEqual(report.findings.map((f) => `${f.ruleId} ${f.severity}`).sort(), ['malicious-pickle-global error', 'model-file-skipped info']);
    assert.match(report.findings.find((f) => f.ruleId === 'model-file-skipped')!.message, /^Skipped: too large/);
    console.log(`# dense pickle: ${report.bytesRead} bytes parsed in ${ms.toFixed(0)} ms, then skipped: ${report.skipped}`);
  });
});
