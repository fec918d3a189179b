// What well-known MCP servers give an agent, in the terms of the "lethal trifecta": reading
// text that strangers can write (untrusted), reaching data that is not public (private), and
// sending data where others can read it (sink). Servers are recognised by the package, image or
// remote URL they run — never by the name a user gave them in the config.
import { programName, type McpServer } from '../../config-files';
import { launchOf } from './launchers';
import { parseUrl } from './urls';

export type Leg = 'untrusted' | 'private' | 'sink';

export interface Capability {
  /** What the server is, for messages: "web fetch", "GitHub". */
  label: string;
  legs: readonly Leg[];
}

interface Entry extends Capability {
  /** npm/PyPI package names, image repositories, installed program names. */
  packages?: readonly string[];
  /** Remote endpoints: host, optionally with a path prefix. */
  urls?: readonly RegExp[];
}

const U = 'untrusted';
const P = 'private';
const S = 'sink';

/**
 * Why each server has its legs: a fetch tool reads any page and its request URL carries data out;
 * issue trackers and chat hold private data, show text anyone can post, and publish what the agent
 * writes; databases, drives and local files are private only.
 */
const CATALOG: readonly Entry[] = [
  { label: 'web fetch', legs: [U, S], packages: ['mcp-server-fetch', '@modelcontextprotocol/server-fetch', 'mcp/fetch', 'fetch-mcp', '@kazuph/mcp-fetch', '@tokenizin/mcp-npx-fetch', 'mcp-fetch-server', 'mcp-fetch'] },
  {
    label: 'browser automation',
    legs: [U, S],
    packages: ['@playwright/mcp', '@modelcontextprotocol/server-puppeteer', 'mcp/puppeteer', 'puppeteer-mcp-server', '@browserbasehq/mcp', '@browserbasehq/mcp-server-browserbase', 'chrome-devtools-mcp', '@agent-infra/mcp-server-browser', '@executeautomation/playwright-mcp-server', 'mcp-server-browser-use', 'browser-use', 'mcr.microsoft.com/playwright/mcp'],
  },
  { label: 'your logged-in browser', legs: [U, P, S], packages: ['@browsermcp/mcp', 'browsermcp'] },
  {
    label: 'web search',
    legs: [U],
    packages: ['@modelcontextprotocol/server-brave-search', 'mcp/brave-search', 'brave-search-mcp', '@brave/brave-search-mcp-server', 'tavily-mcp', 'exa-mcp-server', 'duckduckgo-mcp-server', 'mcp-server-kagi', 'kagimcp', 'perplexity-mcp', 'server-perplexity-ask', 'mcp/duckduckgo'],
    urls: [/^mcp\.exa\.ai$/, /^mcp\.tavily\.com$/],
  },
  { label: 'web scraping', legs: [U, S], packages: ['firecrawl-mcp', '@mendable/firecrawl-mcp', '@apify/actors-mcp-server', 'mcp-server-scraper'], urls: [/^mcp\.firecrawl\.dev$/, /^mcp\.apify\.com$/] },
  { label: 'RSS feeds', legs: [U], packages: ['rss-mcp', 'mcp-rss', 'mcp-server-rss', '@missionsquad/mcp-rss'] },
  { label: 'Reddit', legs: [U], packages: ['mcp-server-reddit', 'reddit-mcp'] },
  { label: 'YouTube transcripts', legs: [U], packages: ['@kimtaeyoon83/mcp-server-youtube-transcript', 'mcp-youtube-transcript', 'youtube-transcript-mcp'] },
  {
    label: 'GitHub',
    legs: [U, P, S],
    packages: ['@modelcontextprotocol/server-github', 'ghcr.io/github/github-mcp-server', 'github-mcp-server', 'mcp/github', 'mcp/github-mcp-server'],
    urls: [/^api\.githubcopilot\.com\/mcp/],
  },
  { label: 'GitLab', legs: [U, P, S], packages: ['@modelcontextprotocol/server-gitlab', 'mcp/gitlab', '@zereight/mcp-gitlab'] },
  { label: 'Linear', legs: [U, P, S], packages: ['@tacticlabs/linear-mcp-server', 'linear-mcp-server', 'mcp-linear'], urls: [/^mcp\.linear\.app/] },
  { label: 'Jira/Confluence', legs: [U, P, S], packages: ['mcp-atlassian', 'ghcr.io/sooperset/mcp-atlassian', '@aashari/mcp-server-atlassian-jira'], urls: [/^mcp\.atlassian\.com/] },
  { label: 'Sentry', legs: [U, P], packages: ['@sentry/mcp-server', 'mcp-server-sentry'], urls: [/^mcp\.sentry\.dev/] },
  { label: 'Slack', legs: [U, P, S], packages: ['@modelcontextprotocol/server-slack', 'mcp/slack', 'slack-mcp-server', '@zencoderai/slack-mcp-server', 'ghcr.io/korotovsky/slack-mcp-server'] },
  { label: 'Discord', legs: [U, P, S], packages: ['mcp-discord', 'discord-mcp', '@hanweg/mcp-discord'] },
  {
    label: 'email',
    legs: [U, P, S],
    packages: ['@gongrzhe/server-gmail-autoauth-mcp', '@shinzolabs/gmail-mcp', 'gmail-mcp-server', 'mcp-gmail', '@modelcontextprotocol/server-gmail', '@softeria/ms-365-mcp-server', 'ms-365-mcp-server', 'mcp-email-server'],
  },
  { label: 'Notion', legs: [U, P, S], packages: ['@notionhq/notion-mcp-server', 'mcp/notion', '@suekou/mcp-notion-server'], urls: [/^mcp\.notion\.com/] },
  { label: 'local files', legs: [P], packages: ['@modelcontextprotocol/server-filesystem', 'mcp/filesystem', 'mcp-server-filesystem', '@cyanheads/filesystem-mcp-server', 'fast-filesystem-mcp'] },
  { label: 'a local git repository', legs: [P], packages: ['mcp-server-git', 'mcp/git', '@cyanheads/git-mcp-server'] },
  {
    label: 'a database',
    legs: [P],
    packages: [
      '@modelcontextprotocol/server-postgres',
      'mcp/postgres',
      'mcp-server-postgres',
      'postgres-mcp',
      'crystaldba/postgres-mcp',
      'mcp-server-sqlite',
      'mcp/sqlite',
      '@modelcontextprotocol/server-sqlite',
      'mongodb-mcp-server',
      '@benborla29/mcp-server-mysql',
      'mcp-server-mysql',
      '@supabase/mcp-server-supabase',
      '@executeautomation/database-server',
      '@bytebase/dbhub',
      '@modelcontextprotocol/server-redis',
      'mcp-server-redis',
      '@neondatabase/mcp-server-neon',
    ],
    urls: [/^mcp\.supabase\.com/, /^mcp\.neon\.tech/],
  },
  { label: 'Google Drive', legs: [P], packages: ['@modelcontextprotocol/server-gdrive', 'mcp/gdrive', '@isaacphi/mcp-gdrive'] },
  { label: 'notes', legs: [P], packages: ['mcp-obsidian', 'obsidian-mcp', '@modelcontextprotocol/server-obsidian'] },
  { label: 'a shell', legs: [P, S], packages: ['@wonderwhy-er/desktop-commander', 'mcp-server-commands', 'mcp-shell-server', '@mako10k/mcp-shell-server', 'iterm-mcp'] },
];

const BY_PACKAGE = new Map<string, Entry>();
for (const entry of CATALOG) for (const p of entry.packages ?? []) BY_PACKAGE.set(p.toLowerCase(), entry);

/** What a server can do, when the catalog knows the package, image or URL it runs. */
export function capabilityOf(server: McpServer): Capability | undefined {
  for (const pkg of launchOf(server.argv)?.packages ?? []) {
    const name = pkg.name.toLowerCase().replace(/^docker\.io\//, '').replace(/^index\.docker\.io\//, '');
    const entry = BY_PACKAGE.get(name) ?? BY_PACKAGE.get(name.replace(/^library\//, ''));
    if (entry) return entry;
  }
  // Installed programs and scripts: `mcp-server-fetch`, `/usr/local/bin/github-mcp-server`.
  if (server.command && server.argv.length > 0) {
    const entry = BY_PACKAGE.get(programName(server.argv[0].value));
    if (entry) return entry;
  }
  if (server.url) {
    const url = parseUrl(server.url.value);
    if (url) {
      const rest = server.url.value.replace(/^[a-z]+:\/\/[^/]*/i, '');
      const target = `${url.host}${rest}`;
      const entry = CATALOG.find((e) => e.urls?.some((re) => re.test(target)));
      if (entry) return entry;
    }
  }
  return undefined;
}
