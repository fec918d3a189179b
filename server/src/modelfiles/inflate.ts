// Bounded decompression with Node's zlib (part of Node, not a native add-on of ours). Every
// call has an output cap derived from the member budget, the per-file decompressed budget and
// the compression ratio, so a decompression bomb costs at most the cap.
import { constants, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import type { ScanContext, Where } from './context';

export type Codec = 'deflate-raw' | 'zlib' | 'gzip';

const MIN_RATIO_ALLOWANCE = 1024 * 1024;

function run(codec: Codec, input: Uint8Array, maxOutputLength: number, partial: boolean): Buffer {
  const opts = { maxOutputLength, ...(partial ? { finishFlush: constants.Z_SYNC_FLUSH } : {}) };
  if (codec === 'deflate-raw') return inflateRawSync(input, opts);
  if (codec === 'zlib') return inflateSync(input, opts);
  return gunzipSync(input, opts);
}

/** The first bytes of a compressed stream (enough for magic-number detection), or undefined. */
export function inflateHead(codec: Codec, compressedPrefix: Uint8Array, want = 512): Uint8Array | undefined {
  // Growing prefixes: a short one bounds the output even for data that expands a thousandfold.
  let best: Uint8Array | undefined;
  for (const n of [64, 512, 4096]) {
    try {
      const out = run(codec, compressedPrefix.subarray(0, n), 4 * 1024 * 1024, true);
      best = new Uint8Array(out.buffer, out.byteOffset, Math.min(out.length, want));
      if (best.length >= want || n >= compressedPrefix.length) return best;
    } catch {
      return best;
    }
  }
  return best;
}

export type InflateResult = { ok: true; data: Uint8Array; damaged?: string } | { ok: false };

/**
 * Decompresses a whole member within the budgets; on refusal it adds the finding (bomb, over
 * budget) itself and returns { ok: false }. Damaged streams yield what decompressed before the damage.
 */
export function inflateBounded(ctx: ScanContext, where: Where, codec: Codec, input: Uint8Array, offset: number): InflateResult {
  const { maxMemberBytes, maxRatio, maxInflatedBytes } = ctx.opts;
  const ratioCap = Math.max(input.length * maxRatio, MIN_RATIO_ALLOWANCE);
  const budgetLeft = Math.max(0, maxInflatedBytes - ctx.inflated);
  const cap = Math.min(maxMemberBytes, ratioCap, budgetLeft);
  let data: Buffer;
  let damaged: string | undefined;
  try {
    data = run(codec, input, cap, false);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      if (cap === ratioCap) {
        ctx.add(where, {
          ruleId: 'malformed-model-file',
          severity: 'warning',
          confidence: 'medium',
          offset,
          message: `Compressed data at offset ${offset} expands more than ${maxRatio} times (${input.length} bytes → over ${cap}): a decompression bomb, or data padded to hide a payload; it was not inspected.`,
        });
      } else if (cap === budgetLeft) {
        ctx.reserveInflate(where, cap + 1, offset);
      } else {
        ctx.add(where, { ruleId: 'model-file-skipped', severity: 'info', confidence: 'high', offset, message: `Skipped: compressed data at offset ${offset} expands beyond the per-member budget of ${maxMemberBytes} bytes; it was not inspected.` });
      }
      return { ok: false };
    }
    // Damaged or truncated: keep what decompresses before the damage (an unpickler would read that far too).
    try {
      data = run(codec, input, cap, true);
    } catch {
      ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message: `Compressed data at offset ${offset} cannot be decompressed (${(e as Error).message}).` });
      return { ok: false };
    }
    damaged = (e as Error).message;
  }
  if (!ctx.reserveInflate(where, data.length, offset)) return { ok: false };
  return { ok: true, data: new Uint8Array(data.buffer, data.byteOffset, data.length), damaged };
}
