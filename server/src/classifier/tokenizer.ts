// The classifier's tokenizer: the TypeScript side of ONE spec (training/tokenizer.py is the
// Python side; models/golden.json holds vectors both must reproduce exactly).
//   1. "\r\n" → "\n"; 2. UTF-8; 3. ASCII A–Z lowered; 4. id = byte + 1, 0 = padding;
//   5. windows of WINDOW ids every STRIDE ids until one reaches the end; the last is padded.

export const WINDOW = 512;
export const STRIDE = 384;
export const PAD = 0;

const encoder = new TextEncoder();

export interface Encoded {
  ids: Uint8Array | number[];
  /** byteToChar[i] is the UTF-16 offset (in the normalised text) where byte i's character starts. */
  byteToChar: Uint32Array;
  /** The normalised text ("\r\n" → "\n") the offsets refer to. */
  text: string;
}

export function encode(raw: string): Encoded {
  const text = raw.replace(/\r\n/g, '\n');
  const bytes = encoder.encode(text);
  const ids = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    ids[i] = (b >= 0x41 && b <= 0x5a ? b + 0x20 : b) + 1;
  }
  // Map byte offsets back to UTF-16 offsets so a window can be shown in the editor.
  const byteToChar = new Uint32Array(bytes.length + 1);
  let byte = 0;
  for (let ch = 0; ch < text.length; ch++) {
    const code = text.codePointAt(ch)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) byteToChar[byte + k] = ch;
    byte += width;
    if (code >= 0x10000) ch++; // the low surrogate
  }
  byteToChar[bytes.length] = text.length;
  return { ids, byteToChar, text };
}

export interface Window {
  /** Token (byte) offset of the window in the text. */
  start: number;
  /** WINDOW ids, padded with PAD. */
  ids: number[];
}

export function windows(ids: ArrayLike<number>): Window[] {
  const out: Window[] = [];
  for (let start = 0; ; start += STRIDE) {
    const chunk = Array.from({ length: WINDOW }, (_, i) => (start + i < ids.length ? ids[start + i] : PAD));
    out.push({ start, ids: chunk });
    if (start + WINDOW >= ids.length) return out;
  }
}
