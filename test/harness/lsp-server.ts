// The language server run from source with the harness's rules (registered ones plus
// AIRLOCK_EXTRA_RULES), for tests that need a rule the bundle does not have, such as one that
// crashes. Same wiring as server/src/lsp/main.ts; run it with `node --import tsx`.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { Engine } from '../../server/src/engine/engine';
import { AirlockServer } from '../../server/src/lsp/server';
import { ALL_RULES } from './engine';

const connection = createConnection(ProposedFeatures.all);
void Engine.create({ rules: ALL_RULES }).then((engine) => {
  new AirlockServer(connection, engine);
  connection.listen();
});
