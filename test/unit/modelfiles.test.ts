// The model-file scanner: generated fixtures (each file's findings must match its sidecar
// exactly), fixture regeneration, the pickle machine's opcode coverage, policy, detection.
// Fuzzing and large-file streaming live in modelfiles-robustness.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { MODEL_FILE_RULE_IDS, looksLikeModelFile, scanModelBytes, scanModelFile, type ModelFileFinding, type ModelFileReport } from '../../server/src/modelfiles/index';
import { ScanContext } from '../../server/src/modelfiles/context';
import { classifyGlobal } from '../../server/src/modelfiles/policy';
import { MemorySource, ReadBudget } from '../../server/src/modelfiles/source';
import { DEFAULT_OPTIONS } from '../../server/src/modelfiles/types';
import { readLocalHeader, readZipDirectory } from '../../server/src/modelfiles/zip';

const FIXTURES = join(__dirname, '..', 'fixtures', 'model-files');
const FILES = join(FIXTURES, 'files');
interface Expected {
  ruleId: string;
  severity: string;
  global?: string;
  member?: string;
}
const EXPECTED = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected[]>;

/** A finding as the sidecar spells it; nested members lose their byte offsets (`<bytes@166>` → `<bytes>`). */
function key(f: { ruleId: string; severity: string; global?: string; member?: string }): string {
  return [f.ruleId, f.severity, f.global ?? '-', f.member?.replace(/@\d+>/g, '>') ?? '-'].join(' | ');
}
function actualKey(f: ModelFileFinding): string {
  return key({ ruleId: f.ruleId, severity: f.severity, global: f.module !== undefined ? `${f.module}.${f.name}` : undefined, member: f.member });
}

function checkShape(report: ModelFileReport) {
  assert.ok(Number.isInteger(report.bytesRead) && report.bytesRead >= 0);
  for (const f of report.findings) {
    assert.ok(MODEL_FILE_RULE_IDS.includes(f.ruleId), f.ruleId);
    assert.ok(['error', 'warning', 'info'].includes(f.severity));
    assert.ok(['high', 'medium', 'low'].includes(f.confidence));
    assert.ok(Number.isInteger(f.offset) && f.offset >= 0, `offset ${f.offset}`);
    assert.ok(f.message.length > 20);
    if (f.ruleId === 'malicious-pickle-global' || f.ruleId === 'unknown-pickle-global') {
      assert.ok(f.opcode, 'pickle findings name the opcode');
      if (f.module !== undefined) assert.ok(f.message.includes(`offset ${f.offset}`), 'the message names the byte offset');
    }
    if (f.callable !== undefined) assert.ok(f.call && Number.isInteger(f.call.offset));
  }
}

describe('model-file fixtures', () => {
  const files = readdirSync(FILES).sort();

  it('every generated file has a sidecar entry, and every entry a file', () => {
    assert.deepEqual(files, Object.keys(EXPECTED).sort());
  });

  it('fixtures stay small (a few KB each, under 1 MB in all)', () => {
    const sizes = files.map((f) => statSync(join(FILES, f)).size);
    assert.ok(sizes.every((s) => s < 16 * 1024), 'each fixture < 16 KB');
    assert.ok(sizes.reduce((a, b) => a + b, 0) < 1024 * 1024);
  });

  for (const name of Object.keys(EXPECTED).sort()) {
    it(`${name}: findings match the sidecar exactly`, () => {
      const report = scanModelFile(join(FILES, name));
      checkShape(report);
      assert.deepEqual(report.findings.map(actualKey).sort(), EXPECTED[name].map(key).sort());
      if (name.startsWith('benign')) assert.equal(report.findings.length, 0);
      assert.ok(report.bytesRead <= statSync(join(FILES, name)).size * 4, 'no wasteful re-reading');
      // The in-memory entry point agrees with the file one.
      const fromBytes = scanModelBytes(readFileSync(join(FILES, name)), name);
      assert.deepEqual(fromBytes.findings.map(actualKey).sort(), report.findings.map(actualKey).sort());
    });
  }

  it('benign fixtures exist for every format family', () => {
    const formats = new Set(files.filter((f) => f.startsWith('benign')).map((f) => scanModelFile(join(FILES, f)).format));
    for (const f of ['pickle', 'pytorch-zip', 'pytorch-legacy', 'numpy', 'npz', 'keras', 'safetensors', 'gguf', 'onnx']) assert.ok(formats.has(f as never), f);
  });

  it('reports every import, allowed or not', () => {
    const report = scanModelFile(join(FILES, 'benign_state_dict.pt'));
    const names = report.imports.map((i) => `${i.module}.${i.name}`);
    assert.ok(names.includes('torch._utils._rebuild_tensor_v2'));
    assert.ok(names.includes('collections.OrderedDict'));
    assert.ok(report.imports.every((i) => i.verdict === 'allowed' && i.member === 'archive/data.pkl'));
  });

  it('regenerating the fixtures reproduces the committed files', (t) => {
    const probe = spawnSync('python3', ['--version']);
    if (probe.error || probe.status !== 0) {
      t.skip('python3 is not available: fixture drift not checked');
      return;
    }
    const out = mkdtempSync(join(tmpdir(), 'airlock-fixtures-'));
    try {
      const run = spawnSync('python3', [join(FIXTURES, 'generate.py'), '--out', join(out, 'files'), '--expected', join(out, 'expected.json')], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assert.deepEqual(readdirSync(join(out, 'files')).sort(), files);
      assert.equal(readFileSync(join(out, 'expected.json'), 'utf8'), readFileSync(join(FIXTURES, 'expected.json'), 'utf8'), 'expected.json drifted: rerun generate.py');
      for (const f of files) {
        const committed = readFileSync(join(FILES, f));
        const fresh = readFileSync(join(out, 'files', f));
        if (committed.equals(fresh)) continue;
        // Deflate output may differ between zlib builds; the content may not.
        assert.deepEqual(logicalContent(fresh), logicalContent(committed), `${f} drifted: rerun generate.py`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

/** Zip and gzip files compared by what they hold, not how they were compressed. */
function logicalContent(bytes: Buffer): string[] {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return ['gzip', gunzipSync(bytes).toString('hex')];
  if (bytes.subarray(0, 4).toString('latin1') !== 'PK\x03\x04') return [bytes.toString('hex')];
  const src = new MemorySource(bytes);
  const dir = readZipDirectory(src, new ScanContext(DEFAULT_OPTIONS, new ReadBudget(Infinity)), 1000);
  return dir.entries.map((e) => {
    const lh = readLocalHeader(src, e)!;
    const raw = src.read(lh.dataOffset, e.compSize);
    return `${e.name}:${e.crc}:${Buffer.from(e.method === 8 ? inflateRawSync(raw) : raw).toString('hex')}`;
  });
}

// ---- the pickle machine, opcode by opcode (hand-assembled streams)

const b = (...parts: (string | number[] | Uint8Array)[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : Buffer.from(p as number[]))));
const u32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const u64 = (n: number) => [...u32(n), 0, 0, 0, 0];
const sbu = (s: string) => b([0x8c, Buffer.byteLength(s)], s);
const glob = (m: string, n: string) => b(`c${m}\n${n}\n`);
const scanPkl = (bytes: Uint8Array, name = 'x.pkl') => scanModelBytes(bytes, name);
const rules = (r: ModelFileReport) => r.findings.map((f) => `${f.ruleId}${f.module !== undefined ? ` ${f.module}.${f.name}` : ''}${f.opcode ? ` ${f.opcode}` : ''}`);

describe('pickle machine', () => {
  it('attributes NEWOBJ_EX to the class it instantiates', () => {
    const r = scanPkl(b([0x80, 4], sbu('subprocess'), sbu('Popen'), [0x93], sbu('id'), [0x85, 0x7d, 0x92, 0x2e]));
    assert.deepEqual(rules(r), ['malicious-pickle-global subprocess.Popen STACK_GLOBAL']);
    assert.equal(r.findings[0].call?.opcode, 'NEWOBJ_EX');
    assert.equal(r.findings[0].callable, 'subprocess.Popen');
  });

  it('treats STACK_GLOBAL operands computed at load time as unresolvable (critical)', () => {
    // module name is the result of a call: str.join is not even dangerous, but the import is unknowable
    const r = scanPkl(b([0x80, 4], glob('builtins', 'str'), sbu('os'), [0x85, 0x52], sbu('system'), [0x93], sbu('id'), [0x85, 0x52, 0x2e]));
    assert.ok(rules(r).includes('malicious-pickle-global ?.system STACK_GLOBAL'), rules(r).join());
  });

  it('reads protocol 0/1 text opcodes: INT, LONG, FLOAT, STRING, UNICODE, PUT/GET, PERSID, DICT, LIST, TUPLE', () => {
    const stream = b('(I42\nL123456789012345678901234567890L\nF1.5\nS\'a\\\'b\'\np0\nVcaf\\u00e9\np1\ng0\nPpid\nI01\nt(d(l00.');
    const r = scanPkl(stream);
    assert.deepEqual(r.findings, []);
  });

  it('reads protocol 2–5 binary opcodes: LONG1/LONG4, BINFLOAT, BINBYTES*, BYTEARRAY8, buffers, sets, DUP, POP_MARK', () => {
    const stream = b(
      [0x80, 5, 0x28],
      [0x8a, 2, 0xff, 0x7f],
      [0x8b, ...u32(3), 1, 2, 3],
      [0x47, 0, 0, 0, 0, 0, 0, 0, 0],
      [0x42, ...u32(2), 0, 0],
      [0x43, 1, 9],
      [0x8e, ...u64(3), 1, 2, 3],
      [0x96, ...u64(2), 7, 7],
      [0x97, 0x98],
      [0x8f, 0x28, 0x4b, 1, 0x90],
      [0x28, 0x4b, 2, 0x91],
      [0x4e, 0x32, 0x31],
      [0x4e, 0x2e],
    );
    const r = scanPkl(stream);
    assert.deepEqual(r.findings, []);
  });

  it('flags BUILD applied to an import itself (attribute overwrite)', () => {
    const r = scanPkl(b([0x80, 2], glob('collections', 'OrderedDict'), [0x4e, 0x7d, 0x86, 0x62, 0x2e]));
    assert.deepEqual(rules(r), ['malicious-pickle-global BUILD']);
  });

  it('reads joblib object arrays written inline as a nested pickle', () => {
    const dtype = b(glob('numpy', 'dtype'), sbu('O8'), [0x89, 0x88, 0x87, 0x52]);
    const state = b([0x7d, 0x28], sbu('dtype'), dtype, sbu('shape'), [0x4b, 1, 0x85], [0x75]);
    const inner = b([0x80, 2], glob('os', 'system'), sbu('id'), [0x85, 0x52, 0x2e]);
    const stream = b([0x80, 4], glob('joblib.numpy_pickle', 'NumpyArrayWrapper'), [0x29, 0x81], state, [0x62], inner, [0x2e]);
    const r = scanPkl(stream, 'model.joblib');
    assert.deepEqual(rules(r), ['malicious-pickle-global os.system GLOBAL']);
  });

  it('records calls made through APPENDS/SETITEM on arbitrary objects', () => {
    const stream = b([0x80, 2], glob('mylib', 'Thing'), [0x29, 0x81, 0x28], sbu('x'), [0x65, 0x2e]);
    const r = scanPkl(stream);
    assert.deepEqual(rules(r), ['unknown-pickle-global mylib.Thing GLOBAL']);
  });

  it('reports a stream that is empty, or that only starts', () => {
    assert.deepEqual(scanPkl(b([0x80, 2])).findings.map((f) => f.ruleId), ['malformed-model-file']);
    assert.deepEqual(scanModelBytes(new Uint8Array(0), 'model.pkl').findings.map((f) => f.ruleId), ['malformed-model-file']);
  });

  it('rejects protocols above 5 and memo misses as broken streams', () => {
    assert.match(scanPkl(b([0x80, 2, 0x80, 9, 0x2e])).findings[0].message, /protocol 9/);
    assert.match(scanPkl(b([0x80, 2, 0x68, 5, 0x2e])).findings[0].message, /memo has no entry 5/);
  });

  it('scans pickles nested in pickle.loads(bytes) as well', () => {
    const inner = b([0x80, 2], glob('os', 'system'), sbu('id'), [0x85, 0x52, 0x2e]);
    const stream = b([0x80, 3], glob('pickle', 'loads'), [0x42, ...u32(inner.length)], inner, [0x85, 0x52, 0x2e]);
    const r = scanPkl(stream);
    assert.deepEqual(rules(r).sort(), ['malicious-pickle-global os.system GLOBAL', 'malicious-pickle-global pickle.loads GLOBAL']);
    assert.match(r.findings.find((f) => f.module === 'os')!.member!, /^<bytes@\d+>$/);
  });
});

describe('policy', () => {
  const verdict = (m: string, n: string) => classifyGlobal(m, n).verdict;
  it('allows known data types', () => {
    for (const [m, n] of [
      ['collections', 'OrderedDict'],
      ['_codecs', 'encode'],
      ['__builtin__', 'set'],
      ['torch', 'FloatStorage'],
      ['torch', 'bfloat16'],
      ['torch._utils', '_rebuild_tensor_v2'],
      ['torch._tensor', '_rebuild_from_type_v2'],
      ['numpy.core.multiarray', '_reconstruct'],
      ['numpy._core.multiarray', 'scalar'],
      ['numpy', 'float32'],
      ['sklearn.ensemble._forest', 'RandomForestClassifier'],
    ]) {
      assert.equal(verdict(m, n), 'allowed', `${m}.${n}`);
    }
  });
  it('flags critical modules, their submodules, builtins aliases and dotted traversal', () => {
    for (const [m, n] of [
      ['os', 'system'],
      ['posix', 'system'],
      ['nt', 'system'],
      ['os.path', 'join'],
      ['__builtins__', 'eval'],
      ['builtins', 'getattr'],
      ['pip._internal.cli.main', 'main'],
      ['logging', 'config.listen'],
      ['pathlib', 'os.system'],
      ['torch', 'serialization.os.system'],
      ['collections', 'OrderedDict.__init__.__globals__'],
      ['operator', 'attrgetter'],
      ['torch.hub', 'load'],
      ['torch', 'hub.load'],
      ['numpy.lib.npyio', 'load'],
      ['numpy.f2py', 'compile'],
      ['pandas.io.pickle', 'read_pickle'],
      ['copy_reg', 'add_extension'],
      ['picklescan.scanner', 'scan'],
      ['pathlib', 'Path.write_text'],
      ['pkgutil', 'resolve_name'],
    ]) {
      assert.equal(verdict(m, n), 'critical', `${m}.${n}`);
    }
    assert.equal(verdict('functools', 'partial'), 'high');
    assert.equal(classifyGlobal('torch.storage', '_load_from_bytes').nestedLoader, true);
  });
  it('leaves the rest unknown', () => {
    for (const [m, n] of [
      ['__main__', 'Net'],
      ['torch.nn.modules.linear', 'Linear'],
      ['re', 'compile'],
      ['pathlib', 'PosixPath'],
    ]) {
      assert.equal(verdict(m, n), 'unknown', `${m}.${n}`);
    }
  });
  it('allows TorchScript class references only inside TorchScript archives', () => {
    assert.equal(classifyGlobal('__torch__', 'Net', { torchscript: true }).verdict, 'allowed');
    assert.equal(classifyGlobal('__torch__', 'Net').verdict, 'unknown');
  });
});

describe('detection and pre-filter', () => {
  const head = (name: string) => readFileSync(join(FILES, name)).subarray(0, 512);
  it('hands every fixture to the scanner', () => {
    for (const f of readdirSync(FILES)) assert.ok(looksLikeModelFile(head(f), join(FILES, f)), f);
  });
  it('recognises model content behind any name, and skips ordinary files', () => {
    assert.ok(looksLikeModelFile(head('os_system_reduce.pkl'), 'notes.txt'));
    assert.ok(looksLikeModelFile(head('benign.gguf'), 'weights'));
    assert.ok(looksLikeModelFile(head('benign.safetensors'), 'blob'));
    assert.ok(!looksLikeModelFile(Buffer.from('# README\n'), 'README.md'));
    assert.ok(!looksLikeModelFile(Buffer.from('{"a": 1}'), 'config.json'));
    assert.ok(!looksLikeModelFile(head('benign.keras'), 'report.docx'));
    assert.ok(!looksLikeModelFile(Buffer.from('import os\n'), 'train.py'));
  });
  it('reads by content, not by name', () => {
    const pickle = readFileSync(join(FILES, 'os_system_reduce.pkl'));
    for (const name of ['model.safetensors', 'model.onnx', 'model.gguf', 'model.h5', 'weights.npy']) {
      const r = scanModelBytes(pickle, name);
      assert.equal(r.format, 'pickle');
      assert.deepEqual(rules(r).sort(), ['malformed-model-file', 'malicious-pickle-global os.system GLOBAL'], name);
    }
  });
});

describe('public API never throws', () => {
  it('reports unreadable paths as skipped', () => {
    const r = scanModelFile(join(tmpdir(), 'airlock-does-not-exist.pt'));
    assert.equal(r.format, 'unknown');
    assert.match(r.skipped!, /ENOENT/);
    assert.deepEqual(rules(r), ['model-file-skipped']);
    const dir = scanModelFile(tmpdir());
    assert.ok(dir.skipped);
  });
  it('honours a tiny byte budget with a "too large" skip', () => {
    const r = scanModelFile(join(FILES, 'benign_state_dict.pt'), { maxBytes: 100 });
    assert.match(r.skipped!, /^too large/);
    assert.ok(r.bytesRead <= 100);
    assert.ok(r.findings.some((f) => f.ruleId === 'model-file-skipped' && f.severity === 'info'));
  });
  it('stops nesting at the depth limit, saying so', () => {
    const r = scanModelFile(join(FILES, 'wrapped.tar.gz'), { maxDepth: 1 });
    assert.ok(r.findings.some((f) => f.ruleId === 'model-file-skipped' && /nested/.test(f.message)));
  });
  it('ignores nonsense options', () => {
    const p = join(mkdtempSync(join(tmpdir(), 'airlock-')), 'x.pkl');
    writeFileSync(p, readFileSync(join(FILES, 'os_system_reduce.pkl')));
    const r = scanModelFile(p, { maxBytes: Number.NaN, timeBudgetMs: -1 });
    assert.deepEqual(rules(r), ['malicious-pickle-global os.system GLOBAL']);
    rmSync(p);
  });
});

describe('format readers, edge cases', () => {
  const safetensors = (header: string, data = Buffer.alloc(0)) => {
    const h = Buffer.from(header);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(h.length));
    return Buffer.concat([len, h, data]);
  };
  const messages = (r: ModelFileReport) => r.findings.map((f) => `${f.ruleId}: ${f.message}`).join('\n');

  it('safetensors: every header rule', () => {
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from([0x00, 0xe2, 0xf5, 0x05, 0, 0, 0, 0]), Buffer.from('{"a":1}')]), /exceeds the 100 MB/],
      [safetensors('{"a": "\xff"}'.replace('\xff', '\u00ff')).fill(0xff, 14, 15), /not valid UTF-8/],
      [safetensors('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', Buffer.alloc(4)), /appears twice/],
      [safetensors('{"__metadata__":{"n":1}}'), /strings to strings only/],
      [safetensors('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', Buffer.alloc(4)), /need 8 bytes but data_offsets span 4/],
      [safetensors('{"a":{"dtype":"Q9","shape":[1],"data_offsets":[0,1]}}', Buffer.alloc(1)), /unknown dtype Q9/],
      [safetensors('{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', Buffer.alloc(2)), /gap of 1 bytes/],
      [safetensors('{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}', Buffer.alloc(2)), /need 4 bytes of data but the file holds 2/],
      [safetensors('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}', Buffer.alloc(3)), /2 bytes after the last tensor belong to no tensor/],
    ];
    for (const [bytes, re] of cases) {
      const r = scanModelBytes(bytes, 'x.safetensors');
      assert.match(messages(r), re);
      assert.ok(r.findings.every((f) => f.ruleId === 'safetensors-header-invalid'), messages(r));
    }
  });

  it('keras: TorchModuleWrapper bytes are scanned as a checkpoint', () => {
    const pickle = b([0x80, 2], glob('os', 'system'), sbu('id'), [0x85, 0x52, 0x2e]);
    const config = JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'TorchModuleWrapper', config: { module: Buffer.from(pickle).toString('base64'), name: 'torch_module' }, module: 'keras.layers' }] } });
    const h5 = b('\x89HDF\r\n\x1a\n', Buffer.alloc(64), config, Buffer.alloc(16));
    const r = scanModelBytes(h5, 'model.h5');
    // the bytes go to torch.load, so torch's opcode rules apply too (this pickle uses protocol 4's SHORT_BINUNICODE)
    assert.deepEqual(rules(r).sort(), ['keras-lambda-layer', 'malformed-model-file SHORT_BINUNICODE', 'malicious-pickle-global os.system GLOBAL']);
    assert.match(r.findings.find((f) => f.module === 'os')!.member!, /^<TorchModuleWrapper@\d+>$/);
  });

  it('gguf: version and counts are bounded', () => {
    const head = (version: number, tensors: bigint, kvs: bigint) => {
      const out = Buffer.alloc(24);
      out.write('GGUF');
      out.writeUInt32LE(version, 4);
      out.writeBigUInt64LE(tensors, 8);
      out.writeBigUInt64LE(kvs, 16);
      return out;
    };
    assert.match(messages(scanModelBytes(head(9, 0n, 0n), 'x.gguf')), /unsupported version 9/);
    assert.match(messages(scanModelBytes(head(3, 1n << 40n, 0n), 'x.gguf')), /tensor count \d+ is out of bounds/);
    assert.match(messages(scanModelBytes(head(3, 0n, 1n << 40n), 'x.gguf')), /metadata count \d+ is out of bounds/);
    assert.match(messages(scanModelBytes(head(3, 0n, 1n), 'x.gguf')), /ends inside its header/);
  });

  it('onnx: local functions are not custom operators; absolute external paths are', () => {
    const varint = (n: number) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
    const field = (no: number, payload: Buffer | string) => {
      const p = Buffer.from(payload);
      return Buffer.concat([Buffer.from([...varint((no << 3) | 2), ...varint(p.length)]), p]);
    };
    const node = Buffer.concat([field(1, 'x'), field(2, 'y'), field(4, 'MyGelu'), field(7, 'pkg.local')]);
    const tensor = Buffer.concat([field(8, 'w'), field(13, Buffer.concat([field(1, 'location'), field(2, '/etc/shadow')]))]);
    const graph = Buffer.concat([field(1, node), field(5, tensor)]);
    const fn = Buffer.concat([field(1, 'MyGelu'), field(10, 'pkg.local')]);
    const model = Buffer.concat([Buffer.from([0x08, 0x08]), field(7, graph), field(8, field(1, 'pkg.local')), field(25, fn)]);
    const r = scanModelBytes(model, 'model.onnx');
    assert.deepEqual(rules(r), ['onnx-unsafe-reference']);
    assert.match(r.findings[0].message, /absolute path/);
  });
});
