// Format detection by content. File names are only a hint for formats without a magic number
// (protocol 0/1 pickles, ONNX protobuf), and the extension is compared with what the bytes are:
// extension confusion is a known way past scanners that trust names.
import { extname } from 'node:path';
import { readU64LE, startsWith } from './source';
import type { ModelFormat } from './types';

/** How many leading bytes detection looks at. */
export const HEAD_BYTES = 512;

const LEGACY_TORCH = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
const SEVEN_Z = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const COMPRESSED: [string, number[]][] = [
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['rar', [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** Lower-cased final extension, with `.tar.gz` style double extensions kept whole where they matter. */
export function extensionOf(path: string): string {
  const base = path.replace(/\\/g, '/').split('/').pop()!.toLowerCase();
  if (base.endsWith('.tar.gz')) return '.tar.gz';
  return extname(base);
}

const PICKLE_EXTS = new Set(['.pkl', '.pickle', '.dill', '.joblib', '.dat', '.p', '.pck', '.pcl', '.sav']);
const TORCH_EXTS = new Set(['.pt', '.pth', '.ckpt', '.bin', '.pt2', '.mar']);

/** Extensions that name a specific format, and the formats such a file may really be. */
const EXPECTED: Record<string, readonly ModelFormat[]> = {
  ...Object.fromEntries([...PICKLE_EXTS].map((e) => [e, ['pickle', 'pytorch-zip', 'pytorch-legacy', 'zlib', 'gzip', 'compressed', 'npz', 'zip']])),
  ...Object.fromEntries([...TORCH_EXTS].map((e) => [e, ['pytorch-zip', 'pytorch-legacy', 'torchscript', 'pickle']])),
  '.npy': ['numpy'],
  '.npz': ['npz'],
  '.keras': ['keras'],
  '.h5': ['hdf5'],
  '.hdf5': ['hdf5'],
  '.safetensors': ['safetensors'],
  '.gguf': ['gguf'],
  '.onnx': ['onnx'],
  '.tar': ['tar', 'pytorch-zip', 'pytorch-legacy', 'torchscript'],
  '.tgz': ['gzip'],
  '.tar.gz': ['gzip'],
  '.gz': ['gzip'],
  '.7z': ['7z'],
  '.zip': ['zip', 'pytorch-zip', 'torchscript', 'npz', 'keras'],
};

/** Zip-based document and package formats that are not model containers. */
const NON_MODEL_ZIPS = new Set(['.docx', '.xlsx', '.pptx', '.odt', '.ods', '.odp', '.jar', '.war', '.ear', '.apk', '.aab', '.epub', '.vsix', '.xpi', '.crx', '.ipa', '.nupkg', '.whl', '.egg', '.kmz', '.sketch', '.aar']);

/** A model file whose content could not be recognised is only a finding for these (for .bin or .dat it is not). */
export const SPECIFIC_EXTS = new Set(['.pkl', '.pickle', '.dill', '.joblib', '.pt', '.pth', '.ckpt', '.npy', '.npz', '.keras', '.h5', '.hdf5', '.safetensors', '.gguf', '.onnx']);

export function isPickleExtension(ext: string): boolean {
  return PICKLE_EXTS.has(ext) || TORCH_EXTS.has(ext);
}

/** Undefined when the extension matches the content or names no particular format. */
export function extensionMismatch(path: string, format: ModelFormat): string | undefined {
  const ext = extensionOf(path);
  const expected = EXPECTED[ext];
  if (!expected || format === 'unknown' || expected.includes(format)) return undefined;
  return `the name ends in ${ext}, which is expected to be ${expected.slice(0, 3).join(' or ')}, but the content is ${format}`;
}

/** Recognises a format from its first bytes; `size` is the whole file's, `path` a hint only. */
export function detectFormat(head: Uint8Array, path: string, size: number): ModelFormat {
  const ext = extensionOf(path);
  if (startsWith(head, LEGACY_TORCH)) return 'pytorch-legacy';
  if (head[0] === 0x80 && head.length > 1 && head[1] >= 2 && head[1] <= 5) return 'pickle';
  if (startsWith(head, 'PK\x03\x04') || startsWith(head, 'PK\x05\x06')) return 'zip';
  if (startsWith(head, '\x93NUMPY')) return 'numpy';
  if (startsWith(head, 'GGUF')) return 'gguf';
  if (startsWith(head, HDF5)) return 'hdf5';
  if (startsWith(head, SEVEN_Z)) return '7z';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (isSafetensorsHead(head, size)) return 'safetensors';
  if (head.length >= 262 && startsWith(head, 'ustar', 257)) return 'tar';
  if (isZlibHead(head, ext)) return 'zlib';
  if (COMPRESSED.some(([, magic]) => startsWith(head, magic)) && (isPickleExtension(ext) || ext === '.npy')) return 'compressed';
  if (looksLikeOnnx(head) || (ext === '.onnx' && head[0] === 0x08)) return 'onnx';
  if (looksLikeProtocol0Pickle(head, ext)) return 'pickle';
  if (ext === '.tar' && head.length >= 512 && tarChecksumOk(head)) return 'tar';
  return 'unknown';
}

/** Name of a compressor recognised by magic, for messages. */
export function compressorName(head: Uint8Array): string {
  return COMPRESSED.find(([, magic]) => startsWith(head, magic))?.[0] ?? 'unknown compression';
}

function isSafetensorsHead(head: Uint8Array, size: number): boolean {
  if (head.length < 10) return false;
  // any length is accepted here (an oversized one is reported by the reader), but not an absurd one
  const n = readU64LE(head, 0);
  if (n < 2 || n > Math.max(size, SAFETENSORS_MAX_HEADER) * 16 || head[8] !== 0x7b) return false;
  // '{' then a key, '}', or whitespace: a JSON object starts here
  const next = head[9];
  return next === 0x22 || next === 0x7d || next === 0x20 || next === 0x0a;
}

function isZlibHead(head: Uint8Array, ext: string): boolean {
  if (head.length < 2 || head[0] !== 0x78) return false;
  if (((head[0] << 8) | head[1]) % 31 !== 0) return false;
  // 0x78 0x5e is also the text "x^": only trust it for pickle-family names
  return head[1] === 0x9c || head[1] === 0xda || head[1] === 0x01 ? true : PICKLE_EXTS.has(ext);
}

/** ModelProto starts with ir_version (field 1, varint), then fields from ModelProto's own numbering. */
function looksLikeOnnx(head: Uint8Array): boolean {
  if (head.length < 8 || head[0] !== 0x08 || head[1] < 1 || head[1] > 20) return false;
  const tag = head[2];
  const field = tag >> 3;
  const wire = tag & 7;
  const ok: Record<number, number> = { 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2 };
  if (ok[field] !== wire) return false;
  // a length-delimited field with a plausible length
  if (wire === 2) return head[3] > 0 && head[3] !== 0x80;
  return true;
}

const PROTO0_START = new Set([...'(}])cNIKJSVUXTFGLlde'].map((c) => c.charCodeAt(0)));

/** Protocol 0/1 pickles have no magic: accept a GLOBAL at the start, or pickle-family names starting with an opcode. */
function looksLikeProtocol0Pickle(head: Uint8Array, ext: string): boolean {
  if (head.length === 0 || !PROTO0_START.has(head[0])) return false;
  const text = String.fromCharCode(...head.subarray(0, 200));
  if (/^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(text)) return true;
  if (/^\((?:d|l|t|c[A-Za-z_][\w.]*\n|i[A-Za-z_][\w.]*\n|[SVI]|X)/.test(text) && (PICKLE_EXTS.has(ext) || /^\(d[pq]/.test(text) || /^\(lp/.test(text))) return true;
  return LOOSE_PICKLE_EXTS.has(ext);
}

/** Names specific enough that content starting with any protocol 0 opcode is read as a pickle. */
const LOOSE_PICKLE_EXTS = new Set(['.pkl', '.pickle', '.dill', '.p', '.pck', '.pcl']);

function tarChecksumOk(head: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : head[i];
  const stored = parseInt(String.fromCharCode(...head.subarray(148, 156)).replace(/\0/g, '').trim(), 8);
  return stored === sum;
}

/**
 * Cheap pre-filter for a workspace scan: should this file be handed to scanModelFile?
 * `head` is the file's first bytes (HEAD_BYTES is plenty; fewer works with less certainty).
 */
export function looksLikeModelFile(head: Uint8Array, path: string): boolean {
  const ext = extensionOf(path);
  if (NON_MODEL_ZIPS.has(ext)) return false;
  if (EXPECTED[ext] && ext !== '.gz' && ext !== '.zip' && ext !== '.7z' && ext !== '.tar') return true;
  if (startsWith(head, LEGACY_TORCH) || startsWith(head, '\x93NUMPY') || startsWith(head, 'GGUF')) return true;
  if (head[0] === 0x80 && head.length > 2 && head[1] >= 2 && head[1] <= 5 && PROTO0_START_AFTER_PROTO.has(head[2])) return true;
  if (startsWith(head, 'PK\x03\x04')) return true;
  if (isSafetensorsHead(head, Number.MAX_SAFE_INTEGER)) return true;
  if (startsWith(head, SEVEN_Z) || (head.length >= 262 && startsWith(head, 'ustar', 257))) return ext === '.7z' || ext === '.tar';
  if (head[0] === 0x1f && head[1] === 0x8b) return ext === '.tgz' || ext === '.tar.gz' || /\.(pkl|pickle|pt|pth|bin|ckpt|joblib|npy|tar)\.gz$/i.test(path);
  if (/^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(String.fromCharCode(...head.subarray(0, 200)))) return true;
  return false;
}

/** After PROTO n, a pickle continues with an opcode; a random 0x80 0x02 rarely does. */
const PROTO0_START_AFTER_PROTO = new Set([
  0x95, 0x8a, 0x63, 0x93, 0x8c, 0x58, 0x7d, 0x5d, 0x29, 0x28, 0x4e, 0x88, 0x89, 0x4b, 0x4a, 0x4d, 0x43, 0x42, 0x8e, 0x8d, 0x55, 0x54, 0x53, 0x56, 0x47, 0x8f, 0x71, 0x94, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x51,
]);

