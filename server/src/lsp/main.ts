// Entry point of the bundled language server (dist/server.js), spoken to over stdio or IPC.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { Engine } from '../engine/engine';
import { AirlockServer } from './server';

const connection = createConnection(ProposedFeatures.all);

// Grammars load asynchronously; the connection must start listening at once, so the server
// is wired up after the engine is ready and the initialize request waits for it.
Engine.create()
  .then((engine) => {
    new AirlockServer(connection, engine);
    connection.listen();
  })
  .catch((err) => {
    process.stderr.write(`airlock: the engine failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
