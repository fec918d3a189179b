// The dispatcher: detect a source's format from its bytes and hand it to that format's reader.
// Containers call back into it for their members, one level deeper each time.
import { notInspectable, scanCompressedStream, scanTar, scanZip, type Hint } from './archive';
import type { ScanContext, Where } from './context';
import { HEAD_BYTES, SPECIFIC_EXTS, detectFormat, extensionMismatch, extensionOf, isPickleExtension } from './detect';
import { scanGguf } from './gguf';
import { scanKerasH5 } from './keras';
import { scanNpy } from './numpy';
import { scanOnnx } from './onnx';
import { scanPickle, type NestedScan } from './pickle/scan';
import { scanSafetensors } from './safetensors';
import type { ByteSource } from './source';
import type { ModelFormat } from './types';

export interface SourceResult {
  format: ModelFormat;
  /** Set when the content cannot be inspected at all (7z, xz…). */
  notInspectable?: string;
}

export function scanSource(ctx: ScanContext, src: ByteSource, name: string, where: Where, hint: Hint = {}): SourceResult {
  if (where.depth > ctx.opts.maxDepth) {
    ctx.add(where, { ruleId: 'model-file-skipped', severity: 'warning', confidence: 'high', offset: 0, message: `Not inspected: nested more than ${ctx.opts.maxDepth} containers deep. Deep nesting has no use in a model file except to outlast scanners.` });
    return { format: 'unknown' };
  }
  ctx.checkTime();
  const head = src.read(0, HEAD_BYTES);
  const detected = detectFormat(head, name, src.size);
  const dispatch = (s: ByteSource, n: string, w: Where, h?: Hint) => scanSource(ctx, s, n, w, h).format;
  const nested: NestedScan = (s, w, torch) => dispatch(s, '<bytes>', w, { torch });
  const torch = hint.torch ?? false;
  let format: ModelFormat = detected;
  let skipped: string | undefined;

  switch (detected) {
    case 'pickle':
    case 'pytorch-legacy': {
      const r = scanPickle(ctx, src, 0, where, { torch: torch || detected === 'pytorch-legacy' }, nested);
      if (r.legacyTorch) format = 'pytorch-legacy';
      break;
    }
    case 'zip':
      format = scanZip(ctx, src, where, dispatch);
      break;
    case 'numpy':
      scanNpy(ctx, src, where, nested, torch);
      break;
    case 'gguf':
      scanGguf(ctx, src, where);
      break;
    case 'hdf5':
      format = 'hdf5';
      scanKerasH5(ctx, src, where, (s, w) => dispatch(s, '<torch module>', w, { torch: true }));
      break;
    case 'safetensors':
      scanSafetensors(ctx, src, where, (s, w) => dispatch(s, '<trailing data>', w));
      break;
    case 'onnx':
      scanOnnx(ctx, src, where);
      break;
    case 'gzip':
    case 'zlib':
      scanCompressedStream(ctx, src, name, where, detected, dispatch, hint);
      break;
    case 'tar':
      format = scanTar(ctx, src, where, dispatch);
      break;
    case '7z':
    case 'compressed':
      skipped = notInspectable(ctx, head, where, detected);
      break;
    case 'unknown':
      unrecognized(ctx, src, name, where);
      break;
  }
  const mismatch = extensionMismatch(name, format);
  if (mismatch) {
    ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset: 0, message: `Extension and content disagree: ${mismatch}. Tools that pick a reader by extension (or skip "safe" extensions) miss what is really there.` });
  }
  return { format, notInspectable: skipped };
}

/** No magic matched: formats without one are tried by name, and a model-typed name that fits nothing is reported. */
function unrecognized(ctx: ScanContext, src: ByteSource, name: string, where: Where) {
  const ext = extensionOf(name);
  if (src.size === 0) {
    if (SPECIFIC_EXTS.has(ext)) ctx.add(where, { ruleId: 'malformed-model-file', severity: 'info', confidence: 'high', offset: 0, message: `The ${ext} file is empty.` });
    return;
  }
  if (ext === '.safetensors') return scanSafetensors(ctx, src, where);
  if (ext === '.onnx') return scanOnnx(ctx, src, where);
  if (SPECIFIC_EXTS.has(ext) && !isPickleExtension(ext)) {
    ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'medium', offset: 0, message: `The content is not a ${ext} file (no known magic bytes); loaders will reject it or read it as something else.` });
  } else if (SPECIFIC_EXTS.has(ext)) {
    ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'medium', offset: 0, message: `The content is not a pickle or checkpoint of any known kind, though the name ends in ${ext}.` });
  }
}

