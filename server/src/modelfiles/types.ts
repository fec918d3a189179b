// Public types of the model-file scanner. The scanner reads model files as bytes and never
// loads, imports or deserializes them; everything it learns comes from static readers.

/** What the bytes are (detected from magic bytes, not from the file name). */
export type ModelFormat =
  | 'pickle'
  | 'pytorch-zip'
  | 'pytorch-legacy'
  | 'torchscript'
  | 'numpy'
  | 'npz'
  | 'keras'
  | 'hdf5'
  | 'safetensors'
  | 'gguf'
  | 'onnx'
  | 'zip'
  | 'tar'
  | 'gzip'
  | 'zlib'
  | '7z'
  | 'compressed'
  | 'unknown';

export type ModelFileSeverity = 'error' | 'warning' | 'info';
export type ModelFileConfidence = 'high' | 'medium' | 'low';

/** The rule ids the scanner reports (metadata and docs live in server/src/rules/model-files/). */
export type ModelFileRuleId =
  | 'malicious-pickle-global'
  | 'unknown-pickle-global'
  | 'keras-lambda-layer'
  | 'numpy-object-array'
  | 'malformed-model-file'
  | 'safetensors-header-invalid'
  | 'gguf-chat-template-injection'
  | 'onnx-unsafe-reference'
  | 'torchscript-code'
  | 'model-file-skipped';

export const MODEL_FILE_RULE_IDS: readonly ModelFileRuleId[] = [
  'gguf-chat-template-injection',
  'keras-lambda-layer',
  'malformed-model-file',
  'malicious-pickle-global',
  'model-file-skipped',
  'numpy-object-array',
  'onnx-unsafe-reference',
  'safetensors-header-invalid',
  'torchscript-code',
  'unknown-pickle-global',
];

export interface ModelFileFinding {
  ruleId: ModelFileRuleId;
  severity: ModelFileSeverity;
  confidence: ModelFileConfidence;
  message: string;
  /**
   * Byte offset of what was found: into the file, or, when `member` is set, into that archive
   * member's (decompressed) bytes.
   */
  offset: number;
  length?: number;
  /** Archive member path; nested containers are joined with `!/` (`outer.zip!/archive/data.pkl`). */
  member?: string;
  /** Pickle opcode of the import (GLOBAL, STACK_GLOBAL, INST, EXT1…) or of the anomaly. */
  opcode?: string;
  /** Module and name exactly as the stream spells them. */
  module?: string;
  name?: string;
  /** `module.name` of what is invoked, when the stream calls the import. */
  callable?: string;
  /** The opcode and offset that invoke `callable`, and the arguments as far as they are known. */
  call?: { opcode: string; offset: number; args?: string };
}

/** Every import a pickle stream makes, dangerous or not. */
export interface ModelFileImport {
  module: string;
  name: string;
  opcode: string;
  offset: number;
  member?: string;
  verdict: 'allowed' | 'critical' | 'high' | 'unknown';
}

export interface ModelFileReport {
  path: string;
  format: ModelFormat;
  findings: ModelFileFinding[];
  /** Bytes read from the file itself (decompressed bytes are budgeted separately). */
  bytesRead: number;
  /** Set when the scan did not cover the whole file: why (a finding says the same). */
  skipped?: string;
  /** Every pickle import seen (capped at 10,000). */
  imports: ModelFileImport[];
}

export interface ModelScanOptions {
  /** Most bytes read from one file (default 512 MiB). Over it: a "skipped: too large" result. */
  maxBytes?: number;
  /** Most bytes decompressed from one file, all members together (default 512 MiB). */
  maxInflatedBytes?: number;
  /** Most bytes one member may decompress to (default 128 MiB). */
  maxMemberBytes?: number;
  /** Decompressed/compressed ratio above which a member is treated as a bomb (default 250). */
  maxRatio?: number;
  /** Archive nesting depth: the file is depth 0 (default 4). */
  maxDepth?: number;
  /** Wall-clock budget for one file, in milliseconds (default 10,000). */
  timeBudgetMs?: number;
  /** Most archive members inspected per archive (default 100,000). */
  maxMembers?: number;
}

export const DEFAULT_OPTIONS: Required<ModelScanOptions> = {
  maxBytes: 512 * 1024 * 1024,
  maxInflatedBytes: 512 * 1024 * 1024,
  maxMemberBytes: 128 * 1024 * 1024,
  maxRatio: 250,
  maxDepth: 4,
  timeBudgetMs: 10_000,
  maxMembers: 100_000,
};
