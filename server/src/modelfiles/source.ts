// Random-access byte sources. Model files can be many gigabytes, so nothing is read whole: a
// reader asks for the ranges it needs, and every read is charged to one per-file budget that
// refuses (by throwing ScanAbort) before it would be exceeded.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Thrown when a budget (bytes, time) runs out; caught at the public API and reported as a skip. */
export class ScanAbort extends Error {
  /** What the interrupted reader had found so far (a pickle stream's partial result), to be reported. */
  partial?: unknown;
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** Counts bytes read from the underlying file and enforces the budget. Shared by all views of one file. */
export class ReadBudget {
  used = 0;
  constructor(readonly limit: number) {}
  charge(n: number): void {
    if (this.used + n > this.limit) throw new ScanAbort(`too large: reading it would exceed the budget of ${this.limit} bytes`);
    this.used += n;
  }
}

export interface ByteSource {
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer at the end); never beyond `size`. */
  read(offset: number, length: number): Uint8Array;
}

const HEAD_CACHE = 4096;

/** A file read through a descriptor, a range at a time. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  /** The first bytes, read once: every reader and detector looks at them. */
  private head: Uint8Array | undefined;
  constructor(
    path: string,
    private readonly budget: ReadBudget,
  ) {
    const fd = openSync(path, 'r');
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      closeSync(fd);
      throw new Error('not a regular file');
    }
    this.fd = fd;
    this.size = stat.size;
  }
  read(offset: number, length: number): Uint8Array {
    const n = clampLength(this.size, offset, length);
    if (n === 0 || this.fd === undefined) return new Uint8Array(0);
    if (offset + n <= HEAD_CACHE) {
      this.head ??= this.readRaw(0, Math.min(HEAD_CACHE, this.size));
      return this.head.subarray(offset, offset + n);
    }
    return this.readRaw(offset, n);
  }
  private readRaw(offset: number, n: number): Uint8Array {
    if (this.fd === undefined) return new Uint8Array(0);
    this.budget.charge(n);
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const got = readSync(this.fd, out, done, n - done, offset + done);
      if (got <= 0) break;
      done += got;
    }
    return done === n ? out : out.subarray(0, done);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Bytes already in memory (decompressed members, nested byte strings, `scanModelBytes`). */
export class MemorySource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly budget?: ReadBudget,
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    const n = clampLength(this.size, offset, length);
    this.budget?.charge(n);
    return this.bytes.subarray(offset, offset + n);
  }
}

/** A window onto another source (a stored archive member, the bytes after a header). */
export class SliceSource implements ByteSource {
  readonly size: number;
  constructor(
    private readonly parent: ByteSource,
    private readonly start: number,
    size: number,
  ) {
    this.size = Math.max(0, Math.min(size, parent.size - start));
  }
  read(offset: number, length: number): Uint8Array {
    const n = clampLength(this.size, offset, length);
    return n === 0 ? new Uint8Array(0) : this.parent.read(this.start + offset, n);
  }
}

function clampLength(size: number, offset: number, length: number): number {
  if (!(offset >= 0) || offset >= size || !(length > 0)) return 0;
  return Math.min(length, size - offset);
}

/** Thrown by Cursor when the data ends or breaks; readers turn it into a finding. */
export class Truncated extends Error {
  constructor(
    readonly offset: number,
    message = 'data ends early',
  ) {
    super(message);
  }
}

const CHUNK = 64 * 1024;

/**
 * Sequential reads over a source with a small buffer, so byte-at-a-time formats (pickle,
 * protobuf) do not cost one read call per byte, and long payloads can be skipped unread.
 */
export class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  pos: number;
  constructor(
    readonly src: ByteSource,
    pos = 0,
    readonly end = src.size,
  ) {
    this.pos = pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Makes `n` bytes at `pos` available in the buffer (n ≤ CHUNK), or throws Truncated. */
  private fill(n: number): number {
    const rel = this.pos - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    if (this.pos + n > this.end) throw new Truncated(this.pos);
    this.buf = this.src.read(this.pos, Math.max(n, Math.min(CHUNK, this.end - this.pos)));
    this.bufStart = this.pos;
    if (this.buf.length < n) throw new Truncated(this.pos);
    return 0;
  }

  u8(): number {
    const rel = this.fill(1);
    this.pos += 1;
    return this.buf[rel];
  }

  peek(): number {
    if (this.pos >= this.end) return -1;
    return this.buf[this.fill(1)];
  }

  /** `n` bytes (copied only when they come from a fresh read); large reads go straight to the source. */
  bytes(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.end) throw new Truncated(this.pos);
    if (n > CHUNK) {
      const out = this.src.read(this.pos, n);
      if (out.length < n) throw new Truncated(this.pos);
      this.pos += n;
      return out;
    }
    const rel = this.fill(n);
    this.pos += n;
    return this.buf.subarray(rel, rel + n);
  }

  skip(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new Truncated(this.pos);
    this.pos += n;
  }

  u16(): number {
    const b = this.bytes(2);
    return b[0] | (b[1] << 8);
  }

  u32(): number {
    const b = this.bytes(4);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  }

  i32(): number {
    const b = this.bytes(4);
    return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  }

  /** Little-endian u64 as a bigint (lengths in GGUF and pickle protocol 4 can exceed 2^53). */
  u64(): bigint {
    const b = this.bytes(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** Bytes up to (not including) the next `\n`, which is consumed; undefined when none within `max` (< 64 KiB). */
  line(max: number): Uint8Array | undefined {
    const want = Math.min(max + 1, this.end - this.pos, CHUNK);
    if (want <= 0) return undefined;
    // search what is already buffered before reading more
    let rel = this.pos - this.bufStart;
    let avail = rel >= 0 && rel < this.buf.length ? this.buf.length - rel : 0;
    if (avail < want) {
      const found = avail > 0 ? this.buf.subarray(rel, rel + avail).indexOf(0x0a) : -1;
      if (found < 0) {
        rel = this.fill(want);
        avail = this.buf.length - rel;
      }
    }
    const view = this.buf.subarray(rel, rel + Math.min(avail, want));
    const i = view.indexOf(0x0a);
    if (i < 0) return undefined;
    this.pos += i + 1;
    return view.subarray(0, i);
  }
}

export function readU32LE(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16)) + b[at + 3] * 0x1000000;
}

export function readU16LE(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8);
}

export function readU64LE(b: Uint8Array, at: number): number {
  return readU32LE(b, at) + readU32LE(b, at + 4) * 0x100000000;
}

export function startsWith(b: Uint8Array, magic: readonly number[] | string, at = 0): boolean {
  const m = typeof magic === 'string' ? Array.from(magic, (c) => c.charCodeAt(0)) : magic;
  if (b.length < at + m.length) return false;
  for (let i = 0; i < m.length; i++) if (b[at + i] !== m[i]) return false;
  return true;
}

export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

const utf8 = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });
export function decodeUtf8(b: Uint8Array): string {
  return utf8.decode(b);
}
/** undefined when the bytes are not valid UTF-8. */
export function decodeUtf8Strict(b: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}
