// A tolerant zip directory reader (PKWARE APPNOTE.TXT: end of central directory, zip64
// locator and record, central and local file headers). It reads what torch's miniz-based
// reader reads and keeps going where Python's zipfile would refuse (CRC errors, flags, size
// disagreements, prepended data), reporting each irregularity instead: scanners that stop at
// the first zipfile exception are exactly what those tricks target.
import type { ScanContext } from './context';
import { Cursor, Truncated, decodeUtf8, readU16LE, readU32LE, readU64LE, type ByteSource } from './source';

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compSize: number;
  size: number;
  /** Offset of the local header (after any correction for prepended data). */
  localOffset: number;
  /** Offset of the central directory record that names this entry. */
  centralOffset: number;
}

export interface ZipProblem {
  offset: number;
  message: string;
  member?: string;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  problems: ZipProblem[];
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
const Z64_LOC_SIG = 0x07064b50;
const Z64_EOCD_SIG = 0x06064b50;
const DD_SIG = 0x08074b50;

export function readZipDirectory(src: ByteSource, ctx: ScanContext, maxEntries: number): ZipDirectory {
  const problems: ZipProblem[] = [];
  // The end record sits in the last 22 bytes unless a comment follows it (up to 64 KiB): look
  // in a small tail first, so big archives cost a few KB to open.
  let tailStart = 0;
  let tail: Uint8Array = new Uint8Array(0);
  let eocd = -1;
  for (const want of [22 + 1024, 22 + 65535 + 20]) {
    const tailLen = Math.min(src.size, want);
    tailStart = src.size - tailLen;
    tail = src.read(tailStart, tailLen);
    for (let i = tail.length - 22; i >= 0; i--) {
      if (readU32LE(tail, i) === EOCD_SIG) {
        eocd = i;
        break;
      }
    }
    if (eocd >= 0 || tailLen === src.size) break;
  }
  if (eocd < 0) {
    problems.push({ offset: 0, message: 'the zip has no end-of-central-directory record (truncated or damaged); members were found from their local headers instead' });
    return { entries: scanLocalHeaders(src, ctx, maxEntries, problems), problems };
  }
  const eocdAbs = tailStart + eocd;
  let total = readU16LE(tail, eocd + 10);
  let cdSize = readU32LE(tail, eocd + 12);
  let cdOffset = readU32LE(tail, eocd + 16);
  const commentLen = readU16LE(tail, eocd + 20);
  if (eocdAbs + 22 + commentLen !== src.size) {
    problems.push({ offset: eocdAbs, message: `${src.size - eocdAbs - 22 - commentLen} bytes follow the zip's end record (comment length says ${commentLen})` });
  }
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc >= 0 && readU32LE(tail, loc) === Z64_LOC_SIG) {
      const recAt = readU64LE(tail, loc + 8);
      const rec = src.read(recAt, 56);
      if (rec.length === 56 && readU32LE(rec, 0) === Z64_EOCD_SIG) {
        total = readU64LE(rec, 32);
        cdSize = readU64LE(rec, 40);
        cdOffset = readU64LE(rec, 48);
      } else problems.push({ offset: recAt, message: 'the zip64 end record the locator points to is missing' });
    }
  }
  // Data prepended to the archive shifts every offset; the central directory still ends at the end record.
  let shift = 0;
  const sigAt = (at: number) => {
    const b = src.read(at, 4);
    return b.length === 4 && readU32LE(b, 0) === CEN_SIG;
  };
  if (total > 0 && !sigAt(cdOffset)) {
    const expected = eocdAbs - cdSize;
    const z64 = eocdAbs - cdSize - 56 - 20;
    const actual = expected >= 0 && sigAt(expected) ? expected : z64 >= 0 && sigAt(z64) ? z64 : -1;
    if (actual < 0) {
      problems.push({ offset: cdOffset, message: 'the central directory is not where the end record says; members were found from their local headers instead' });
      return { entries: scanLocalHeaders(src, ctx, maxEntries, problems), problems };
    }
    if (actual > cdOffset) {
      shift = actual - cdOffset;
      problems.push({ offset: 0, message: `${shift} bytes of other data precede the zip archive (a polyglot file)` });
    } else problems.push({ offset: eocdAbs, message: `the end record places the central directory at ${cdOffset}, but it is at ${actual}` });
    cdOffset = actual - shift;
  }

  const entries: ZipEntry[] = [];
  const cur = new Cursor(src, cdOffset + shift, Math.min(src.size, cdOffset + shift + cdSize));
  try {
    for (let i = 0; i < total && entries.length < maxEntries; i++) {
      ctx.tick();
      const at = cur.pos;
      const h = cur.bytes(46);
      if (readU32LE(h, 0) !== CEN_SIG) {
        problems.push({ offset: at, message: `central directory record ${i + 1} of ${total} is damaged; the rest of the directory was not read` });
        break;
      }
      const flags = readU16LE(h, 8);
      const method = readU16LE(h, 10);
      const crc = readU32LE(h, 16);
      let compSize = readU32LE(h, 20);
      let size = readU32LE(h, 24);
      const nameLen = readU16LE(h, 28);
      const extraLen = readU16LE(h, 30);
      const commentLen = readU16LE(h, 32);
      let localOffset = readU32LE(h, 42);
      const name = decodeUtf8(cur.bytes(nameLen));
      const extra = cur.bytes(extraLen).slice();
      cur.skip(commentLen);
      // zip64 extended information: only the fields that overflowed are present, in this order
      for (let p = 0; p + 4 <= extra.length; ) {
        const id = readU16LE(extra, p);
        const len = readU16LE(extra, p + 2);
        if (id === 0x0001) {
          let q = p + 4;
          if (size === 0xffffffff && q + 8 <= p + 4 + len) (size = readU64LE(extra, q)), (q += 8);
          if (compSize === 0xffffffff && q + 8 <= p + 4 + len) (compSize = readU64LE(extra, q)), (q += 8);
          if (localOffset === 0xffffffff && q + 8 <= p + 4 + len) localOffset = readU64LE(extra, q);
        }
        p += 4 + len;
      }
      entries.push({ name, method, flags, crc, compSize, size, localOffset: localOffset + shift, centralOffset: at });
    }
  } catch (e) {
    if (!(e instanceof Truncated)) throw e;
    problems.push({ offset: cur.pos, message: 'the central directory is truncated' });
  }
  if (total > maxEntries) problems.push({ offset: cdOffset, message: `the archive lists ${total} members; only the first ${maxEntries} were inspected` });
  return { entries, problems };
}

/** When there is no usable central directory: walk local headers from the start, as streaming readers do. */
function scanLocalHeaders(src: ByteSource, ctx: ScanContext, maxEntries: number, problems: ZipProblem[]): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  while (at + 30 <= src.size && entries.length < maxEntries) {
    ctx.tick();
    const h = src.read(at, 30);
    if (readU32LE(h, 0) !== LOC_SIG) break;
    const flags = readU16LE(h, 6);
    const method = readU16LE(h, 8);
    let compSize = readU32LE(h, 18);
    const size = readU32LE(h, 22);
    const nameLen = readU16LE(h, 26);
    const extraLen = readU16LE(h, 28);
    const name = decodeUtf8(src.read(at + 30, nameLen));
    const dataStart = at + 30 + nameLen + extraLen;
    if (flags & 8) {
      // sizes follow the data in a descriptor: find the next header signature
      const next = findSignature(src, dataStart, ctx);
      compSize = next - dataStart;
      const dd = src.read(Math.max(dataStart, next - 16), 16);
      if (dd.length === 16 && readU32LE(dd, 0) === DD_SIG) compSize -= 16;
      else if (dd.length >= 12) compSize -= 12;
    }
    entries.push({ name, method, flags, crc: readU32LE(h, 14), compSize: Math.max(0, compSize), size, localOffset: at, centralOffset: -1 });
    const end = dataStart + Math.max(0, compSize) + (flags & 8 ? 16 : 0);
    if (end <= at) break;
    at = flags & 8 ? findSignature(src, dataStart, ctx) : end;
  }
  if (entries.length === 0) problems.push({ offset: 0, message: 'no readable zip member headers' });
  return entries;
}

function findSignature(src: ByteSource, from: number, ctx: ScanContext): number {
  const CH = 64 * 1024;
  for (let at = from; at < src.size; at += CH - 3) {
    ctx.tick();
    const b = src.read(at, CH);
    for (let i = 0; i + 4 <= b.length; i++) {
      if (b[i] === 0x50 && b[i + 1] === 0x4b) {
        const sig = readU32LE(b, i);
        if (sig === LOC_SIG || sig === CEN_SIG) return at + i;
      }
    }
    if (b.length < CH) break;
  }
  return src.size;
}

export interface LocalHeader {
  dataOffset: number;
  name: string;
  method: number;
  flags: number;
}

/** The local header of an entry: where its data starts, and what the header claims. */
export function readLocalHeader(src: ByteSource, e: ZipEntry): LocalHeader | undefined {
  // one read for the fixed header and (usually) the name, whose length the directory already gave
  const guess = 30 + Buffer.byteLength(e.name);
  let h = src.read(e.localOffset, guess);
  if (h.length < 30 || readU32LE(h, 0) !== LOC_SIG) return undefined;
  const nameLen = readU16LE(h, 26);
  const extraLen = readU16LE(h, 28);
  if (30 + nameLen > h.length) h = src.read(e.localOffset, 30 + nameLen);
  const name = decodeUtf8(h.subarray(30, 30 + nameLen));
  return { dataOffset: e.localOffset + 30 + nameLen + extraLen, name, method: readU16LE(h, 8), flags: readU16LE(h, 6) };
}

let CRC_TABLE: Uint32Array | undefined;

/** CRC-32 (ISO 3309 / ITU-T V.42 polynomial 0xEDB88320), as zip stores it. */
export function crc32(data: Uint8Array, crc = 0): number {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  let c = ~crc >>> 0;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
