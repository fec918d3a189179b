// Server-side helpers of the chat frontend (Next.js API routes import these).
import * as yaml from 'js-yaml';
import { readFileSync } from 'node:fs';
import serialize from 'node-serialize';

export interface Session {
  userId: string;
  history: string[];
}

export function readSession(cookie: string): Session {
  const raw = Buffer.from(cookie, 'base64').toString('utf8');
  return serialize.unserialize(raw) as Session;
}

export function loadPromptLibrary(path: string): unknown {
  // The prompt library may contain custom tags written by the prompt team's tooling.
  return yaml.load(readFileSync(path, 'utf8'), { schema: yaml.DEFAULT_FULL_SCHEMA });
}
