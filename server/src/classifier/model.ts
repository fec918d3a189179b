// The shipped model: models/model.json (tokenizer spec, threshold, metrics, sha256) and the ONNX
// file it names, verified before use. The bytes are read once and handed to the runtime.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { STRIDE, WINDOW } from './tokenizer';

export interface ModelInfo {
  name: string;
  version: number;
  file: string;
  sha256: string;
  parameters: number;
  threshold: number;
  tokenizer: { version: number; window: number; stride: number };
  input: { name: string };
  output: { name: string };
  metrics?: unknown;
}

export class ModelError extends Error {}

/** Finds models/ from a bundle in dist/ or from the TypeScript sources. */
export function defaultModelDir(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'models', 'model.json'))) return join(dir, 'models');
    if (dirname(dir) === dir) throw new ModelError(`models/model.json not found above ${start}`);
  }
}

export function loadModel(dir: string = defaultModelDir()): { info: ModelInfo; bytes: Uint8Array } {
  const info = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as ModelInfo;
  if (info.tokenizer.window !== WINDOW || info.tokenizer.stride !== STRIDE) {
    throw new ModelError(`model ${info.name} expects windows of ${info.tokenizer.window}/${info.tokenizer.stride}, this build tokenizes ${WINDOW}/${STRIDE}`);
  }
  const bytes = readFileSync(join(dir, info.file));
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual !== info.sha256) throw new ModelError(`${join(dir, info.file)}: sha256 ${actual} does not match model.json (${info.sha256})`);
  return { info, bytes };
}
