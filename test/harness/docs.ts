// Reads a rule's Markdown doc: its fixed headings and the fenced code examples under them.
export const REQUIRED_HEADINGS = ['What it does', 'Why is this bad?', 'Example', 'Use instead', 'Fix safety', 'References'];

export interface DocExample {
  heading: string;
  language: string;
  /** The path to analyze the example as: the fence's second word (```json .cursor/mcp.json), else doc-example.<ext>. */
  file?: string;
  code: string;
}

export function parseDoc(markdown: string): { title: string | undefined; headings: string[]; examples: DocExample[] } {
  const headings: string[] = [];
  const examples: DocExample[] = [];
  let title: string | undefined;
  let heading = '';
  let fence: { language: string; file?: string; lines: string[] } | undefined;
  for (const line of markdown.split('\n')) {
    if (fence) {
      if (/^```\s*$/.test(line)) {
        examples.push({ heading, language: fence.language, file: fence.file, code: fence.lines.join('\n') + '\n' });
        fence = undefined;
      } else fence.lines.push(line);
      continue;
    }
    const open = /^```(\w+)(?:\s+(\S+))?/.exec(line);
    if (open) {
      fence = { language: open[1], file: open[2], lines: [] };
      continue;
    }
    const h1 = /^# (.+)$/.exec(line);
    if (h1 && title === undefined) title = h1[1].trim();
    const h2 = /^## (.+)$/.exec(line);
    if (h2) {
      heading = h2[1].trim();
      headings.push(heading);
    }
  }
  return { title, headings, examples };
}

/** File extension to analyze a doc example as. */
export function extensionForFence(language: string): string | undefined {
  return (
    { python: '.py', py: '.py', javascript: '.js', js: '.js', typescript: '.ts', ts: '.ts', tsx: '.tsx', json: '.json', jsonc: '.json', yaml: '.yaml', toml: '.toml', markdown: '.md', md: '.md', text: '.txt' } as Record<string, string>
  )[language];
}
