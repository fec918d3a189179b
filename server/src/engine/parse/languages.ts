// Which grammar parses a file: by the editor's language id when there is one, else by extension.
import type { LanguageId } from '../types';

const BY_EXTENSION: Record<string, LanguageId> = {
  '.py': 'python',
  '.pyi': 'python',
  '.pyw': 'python',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
};

const BY_EDITOR_ID: Record<string, LanguageId> = {
  python: 'python',
  javascript: 'javascript',
  javascriptreact: 'javascript',
  typescript: 'typescript',
  typescriptreact: 'tsx',
};

export function languageForPath(path: string): LanguageId | undefined {
  const lower = path.toLowerCase();
  const dot = lower.lastIndexOf('.');
  if (dot < 0 || dot < lower.lastIndexOf('/')) return undefined;
  if (lower.endsWith('.d.ts')) return 'typescript';
  return BY_EXTENSION[lower.slice(dot)];
}

export function languageFor(path: string, editorLanguageId?: string): LanguageId | undefined {
  return (editorLanguageId && BY_EDITOR_ID[editorLanguageId]) || languageForPath(path);
}

export const CODE_EXTENSIONS = Object.keys(BY_EXTENSION);

/** The grammar family rules are written for: JS rules also run on TypeScript and TSX. */
export function isJavaScriptFamily(language: LanguageId): boolean {
  return language === 'javascript' || language === 'typescript' || language === 'tsx';
}

/** How a line comment starts in a language, for inserted suppression comments. */
export function lineCommentPrefix(language: LanguageId | undefined): string {
  return language === 'python' || language === 'yaml' ? '#' : '//';
}
