// Keras model configs (Keras 3 `.keras` config.json, and the `model_config` attribute of legacy
// `.h5` files). Loading deserializes every object the config names: Lambda layers carry
// marshalled Python bytecode, `module` fields outside Keras are imported, and TorchModuleWrapper
// restores a torch.save'd module with torch.load.
import type { ScanContext, Where } from './context';
import { child } from './context';
import { member, parseJson, stringMember, JsonError, type JsonNode } from './json';
import { classifyGlobal } from './policy';
import { MemorySource, type ByteSource } from './source';

export type NestedBytes = (src: ByteSource, where: Where) => void;

const KERAS_MODULE = /^(keras|keras_hub|keras_nlp|keras_cv|tf_keras)(\.|$)/;

/** Scans a config.json; `base` is added to offsets when the JSON is embedded in a larger file. */
export function scanKerasConfig(ctx: ScanContext, bytes: Uint8Array, where: Where, nested: NestedBytes, base = 0): boolean {
  let root: JsonNode;
  try {
    root = parseJson(bytes, 0, { whole: base === 0 }).node;
  } catch (e) {
    if (base !== 0) return false;
    const offset = e instanceof JsonError ? e.offset : 0;
    ctx.add(where, { ruleId: 'malformed-model-file', severity: 'warning', confidence: 'high', offset, message: `Keras config is not valid JSON (${(e as Error).message} at offset ${offset}); it was not inspected.` });
    return false;
  }
  walk(ctx, root, where, nested, base, false, 0);
  return true;
}

function walk(ctx: ScanContext, node: JsonNode, where: Where, nested: NestedBytes, base: number, inLambda: boolean, depth: number) {
  if (depth > 200) return;
  ctx.tick();
  if (node.t === 'array') {
    for (const item of node.items) walk(ctx, item, where, nested, base, inLambda, depth + 1);
    return;
  }
  if (node.t !== 'object') return;
  const className = stringMember(node, 'class_name');
  const config = member(node, 'config');
  const layerName = stringMember(config, 'name');
  const label = layerName ? ` '${layerName}'` : '';
  const offset = base + node.start;
  let lambda = inLambda;
  if (className === 'Lambda') {
    lambda = true;
    ctx.add(where, {
      ruleId: 'keras-lambda-layer',
      severity: 'error',
      confidence: 'high',
      offset,
      length: node.end - node.start,
      message: `Keras Lambda layer${label} at offset ${offset} holds marshalled Python bytecode that runs when the model is loaded (keras.models.load_model with safe_mode=False, or any legacy loader).`,
    });
  } else if (className === '__lambda__' && !inLambda) {
    ctx.add(where, {
      ruleId: 'keras-lambda-layer',
      severity: 'error',
      confidence: 'high',
      offset,
      length: node.end - node.start,
      message: `Keras config holds a serialized Python lambda at offset ${offset} (marshalled bytecode, run on load with safe_mode=False).`,
    });
  } else if (className === 'TorchModuleWrapper') {
    ctx.add(where, {
      ruleId: 'keras-lambda-layer',
      severity: 'error',
      confidence: 'high',
      offset,
      length: node.end - node.start,
      message: `Keras TorchModuleWrapper${label} at offset ${offset}: Keras restores the wrapped module with torch.load, which unpickles it (the embedded bytes were scanned too).`,
    });
    const blob = stringMember(config, 'module');
    if (blob && /^[A-Za-z0-9+/=\s]+$/.test(blob)) {
      const bytes = Buffer.from(blob, 'base64');
      nested(new MemorySource(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)), child(where, `<TorchModuleWrapper@${offset}>`));
    }
  }
  const module = stringMember(node, 'module');
  const registered = stringMember(node, 'registered_name');
  const outside = module !== undefined && !KERAS_MODULE.test(module);
  const foreignRegistration = registered !== undefined && registered !== 'function' && !KERAS_MODULE.test(registered) && registered.includes('>');
  if (className !== undefined && className !== 'Lambda' && className !== 'TorchModuleWrapper' && (outside || foreignRegistration)) {
    // functions serialize as { module, class_name: 'function', config: '<function name>' }
    const what = className === 'function' && config?.t === 'string' ? config.v : className;
    const verdict = module !== undefined ? classifyGlobal(module, what).verdict : 'unknown';
    const dangerous = verdict === 'critical' || verdict === 'high';
    ctx.add(where, {
      ruleId: 'keras-lambda-layer',
      severity: dangerous ? 'error' : 'warning',
      confidence: dangerous ? 'high' : 'medium',
      offset,
      length: node.end - node.start,
      module,
      name: what,
      message: `Keras config at offset ${offset} names ${module ?? '?'}.${what}${registered ? ` (registered as ${registered})` : ''}, outside Keras: loading imports that module and runs its code${dangerous ? '; this one can run commands or load code' : ''}.`,
    });
  }
  for (const e of node.entries) walk(ctx, e.value, where, nested, base, lambda, depth + 1);
}

const CONFIG_STARTS = ['{"class_name"', '{"module"', '{"config"'].map((s) => Buffer.from(s, 'latin1'));
const LAMBDA_BYTES = [Buffer.from('"class_name": "Lambda"'), Buffer.from('"class_name":"Lambda"')];
const WINDOW = 16 * 1024 * 1024;

/**
 * Legacy Keras .h5: rather than decode HDF5 attribute storage, find the `model_config` JSON
 * by its opening bytes (h5py stores the string contiguously), parse it and walk it like a
 * .keras config; if a Lambda config's bytes appear where no JSON parses, flag those.
 */
export function scanKerasH5(ctx: ScanContext, src: ByteSource, where: Where, nested: NestedBytes): void {
  const CH = 1 << 20;
  let parsedUntil = 0;
  for (let at = 0; at < src.size; at += CH - 64) {
    ctx.tick();
    const chunk = Buffer.from(src.read(at, CH));
    for (const needle of CONFIG_STARTS) {
      for (let i = chunk.indexOf(needle); i >= 0; i = chunk.indexOf(needle, i + 1)) {
        const abs = at + i;
        if (abs < parsedUntil) continue;
        const window = src.read(abs, Math.min(WINDOW, src.size - abs));
        try {
          const r = parseJson(window, 0);
          if (r.node.t === 'object' && member(r.node, 'class_name')) {
            walk(ctx, r.node, where, nested, abs, false, 0);
            parsedUntil = abs + r.end;
          }
        } catch {
          // not JSON here; the byte fallback below still sees a Lambda
        }
      }
    }
    for (const needle of LAMBDA_BYTES) {
      for (let i = chunk.indexOf(needle); i >= 0; i = chunk.indexOf(needle, i + 1)) {
        const abs = at + i;
        if (abs < parsedUntil || ctx.findings.some((f) => f.ruleId === 'keras-lambda-layer' && f.offset <= abs && abs < f.offset + (f.length ?? 0))) continue;
        ctx.add(where, { ruleId: 'keras-lambda-layer', severity: 'error', confidence: 'medium', offset: abs, message: `HDF5 model holds the bytes of a Keras Lambda layer config at offset ${abs}: Lambda layers carry marshalled Python bytecode that runs on load.` });
        parsedUntil = abs + needle.length;
      }
    }
    if (at + CH >= src.size) break;
  }
}
