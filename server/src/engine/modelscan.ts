// Model files in the workspace scan: which files to hand to the static model-file readers
// (by magic bytes, whatever the extension), and their reports as findings. The readers never
// load or execute anything (see server/src/modelfiles/).
import { closeSync, openSync, readSync } from 'node:fs';
import { HEAD_BYTES, looksLikeModelFile, scanModelFile, type ModelFileFinding, type ModelFileReport } from '../modelfiles/index';
import { ruleSetting, type AirlockConfig } from './config/config';
import type { RuleMeta } from './rule';
import type { Finding } from './types';

/** Reads a file's first bytes and asks the readers whether it is a model file. */
export function isModelFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(HEAD_BYTES);
    const n = readSync(fd, head, 0, HEAD_BYTES, 0);
    return looksLikeModelFile(head.subarray(0, n), path);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function toFinding(f: ModelFileFinding, path: string, meta: RuleMeta | undefined, configured: AirlockConfig['rules'][string] | undefined): Finding {
  const severity = configured && configured !== 'on' && configured !== 'off' ? configured : f.severity;
  return {
    ruleId: f.ruleId,
    group: meta?.group ?? 'model-files',
    severity,
    confidence: f.confidence,
    message: f.message,
    path,
    range: { start: 0, end: 0 },
    fixes: [],
    related: [],
    flow: [],
    binary: {
      offset: f.offset,
      length: f.length,
      member: f.member,
      opcode: f.opcode,
      global: f.module !== undefined && f.name !== undefined ? `${f.module}.${f.name}` : undefined,
      callable: f.callable,
    },
  };
}

/** Scans one model file; findings of rules the config turns off are dropped. */
export function scanModel(path: string, rules: readonly RuleMeta[], config: AirlockConfig): { report: ModelFileReport; findings: Finding[] } {
  const report = scanModelFile(path, { maxBytes: config.maxModelFileSize });
  const metas = new Map(rules.map((m) => [m.id, m]));
  const findings: Finding[] = [];
  for (const f of report.findings) {
    const meta = metas.get(f.ruleId);
    const setting = meta ? ruleSetting(config, meta) : undefined;
    if (meta && setting && !setting.enabled) continue;
    findings.push(toFinding(f, path, meta, meta ? config.rules[meta.id] ?? config.rules[meta.group] : undefined));
  }
  return { report, findings };
}
