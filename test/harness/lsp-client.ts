// A language client for tests: drives a language server over stdio like an editor would,
// keeps the latest diagnostics per URI, and records log messages, progress and status.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, type ProtocolConnection } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, LogMessageParams, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { STATUS_NOTIFICATION, type StatusParams } from '../../server/src/protocol';

/** The bundled server (`npm run build`). */
export const BUNDLED_SERVER = join(__dirname, '..', '..', 'dist', 'server.js');

export interface ServerOptions {
  /** The `airlock` settings the client answers workspace/configuration with, per resource. */
  settings?: (scopeUri: string | undefined) => Record<string, unknown>;
  /** Node arguments and environment for a server run from source instead of the bundle. */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  entry?: string;
}

export class Client {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  /** The document version each URI's last diagnostics were computed for (when the server sent one). */
  readonly versions = new Map<string, number | undefined>();
  readonly progress: unknown[] = [];
  readonly statuses: StatusParams[] = [];
  readonly logs: LogMessageParams[] = [];
  private waiters: { uri: string; test: (d: Diagnostic[], version?: number) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];

  constructor(
    readonly connection: ProtocolConnection,
    readonly process: ChildProcess,
    settings: NonNullable<ServerOptions['settings']>,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p.diagnostics);
      this.versions.set(p.uri, p.version);
      this.waiters = this.waiters.filter((w) => {
        if (w.uri === p.uri && w.test(p.diagnostics, p.version)) {
          w.resolve(p.diagnostics);
          return false;
        }
        return true;
      });
    });
    connection.onNotification(STATUS_NOTIFICATION, (s: StatusParams) => void this.statuses.push(s));
    connection.onRequest('workspace/configuration', (params: { items: { scopeUri?: string }[] }) => params.items.map((item) => settings(item.scopeUri)));
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.onNotification('$/progress', (p: unknown) => void this.progress.push(p));
    connection.onNotification('window/logMessage', (m: LogMessageParams) => void this.logs.push(m));
  }

  /** Resolves with the diagnostics of `uri` once they pass `test` (the current ones count). */
  waitFor(uri: string, test: (d: Diagnostic[], version?: number) => boolean, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const current = this.diagnostics.get(uri);
    if (current && test(current, this.versions.get(uri))) return Promise.resolve(current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for diagnostics on ${uri}; last: ${JSON.stringify(this.diagnostics.get(uri))}`)), timeoutMs);
      timer.unref();
      this.waiters.push({ uri, test, resolve: (d) => (clearTimeout(timer), resolve(d)) });
    });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {}
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}

export function startServer(options: ServerOptions = {}): Client {
  const child = spawn(process.execPath, [...(options.execArgv ?? []), options.entry ?? BUNDLED_SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  connection.listen();
  return new Client(connection, child, options.settings ?? (() => ({ enable: true, debounceMs: 5 })));
}
