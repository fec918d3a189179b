#!/usr/bin/env bash
# Real-editor tests: installs the packaged .vsix into a fresh code-server profile, starts
# code-server on 127.0.0.1 and runs
#   1. ui.mjs: drives the real workbench in chromium (squiggle, Problems panel, quick fix with the
#      keyboard, Scan Workspace from the command palette, the Findings view, fix-all preview);
#   2. exthost-driver.mjs: the extension's own tests (test/e2e/exthost) inside the real extension host.
# Screenshots go to $AIRLOCK_E2E_ARTIFACTS (default test/e2e/.artifacts/), with the code-server and
# extension-host logs when something fails. Each workspace is a fresh copy of examples/rag-assistant.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
export AIRLOCK_E2E_TOOLS=${AIRLOCK_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock-e2e}
ARTIFACTS=${AIRLOCK_E2E_ARTIFACTS:-$ROOT/test/e2e/.artifacts}
started=$(date +%s)
seconds() { echo $(( $(date +%s) - started )); }

bash "$ROOT/test/e2e/setup.sh" || exit 1
echo "[$(seconds) s] tools ready"

RUN=$(mktemp -d "${TMPDIR:-/tmp}/airlock-e2e-XXXXXX")
rm -rf "$ARTIFACTS"; mkdir -p "$ARTIFACTS"
cd "$ROOT"
npm run package >"$RUN/package.log" 2>&1 || { cat "$RUN/package.log"; echo "packaging failed"; exit 1; }
npx esbuild test/e2e/exthost/index.ts --bundle --platform=node --format=cjs --target=node20 --external:vscode \
  --log-level=warning --outfile="$RUN/exthost-tests/index.js" || exit 1
echo "[$(seconds) s] packaged $(du -h airlock-linux-x64.vsix | cut -f1) .vsix"

# Everything code-server, its extension host and chromium write stays in $RUN.
export XDG_CONFIG_HOME=$RUN/xdg/config XDG_DATA_HOME=$RUN/xdg/data XDG_CACHE_HOME=$RUN/xdg/cache XDG_STATE_HOME=$RUN/xdg/state
mkdir -p "$RUN/profile/User" "$RUN/extensions" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
# A quiet, offline profile; workspace trust is off (every folder is trusted), as in most CI editors.
cat >"$RUN/profile/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "workbench.tips.enabled": false, "workbench.enableExperiments": false,
  "telemetry.telemetryLevel": "off", "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false,
  "extensions.ignoreRecommendations": true, "update.mode": "none", "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "security.workspace.trust.enabled": false, "window.commandCenter": false }
JSON
touch "$RUN/config.yaml"
CODE_SERVER=("$AIRLOCK_E2E_TOOLS/node_modules/.bin/code-server" --config "$RUN/config.yaml" --user-data-dir "$RUN/profile" --extensions-dir "$RUN/extensions")
"${CODE_SERVER[@]}" --install-extension "$ROOT/airlock-linux-x64.vsix" >"$RUN/install.log" 2>&1 || { cat "$RUN/install.log"; exit 1; }
cp -r "$ROOT/examples/rag-assistant" "$RUN/ws-ui"
cp -r "$ROOT/examples/rag-assistant" "$RUN/ws-exthost"

PORT=$(node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })")
# Its own process group, so the whole tree (server, extension hosts, language servers) stops by id.
setsid "${CODE_SERVER[@]}" --auth none --bind-addr "127.0.0.1:$PORT" --disable-telemetry --disable-update-check \
  --disable-workspace-trust >"$RUN/code-server.log" 2>&1 &
CODE_SERVER_PID=$!
trap 'kill -- -$CODE_SERVER_PID 2>/dev/null; rm -rf "$RUN"' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
echo "[$(seconds) s] code-server $(node -p "require('$AIRLOCK_E2E_TOOLS/node_modules/code-server/package.json').version") on port $PORT"

failed=0
export CS_URL=http://127.0.0.1:$PORT ARTIFACTS
t=$(date +%s)
WS=$RUN/ws-ui node "$ROOT/test/e2e/ui.mjs" || failed=$((failed + 1))
echo "[$(seconds) s] UI test: $(( $(date +%s) - t )) s"
t=$(date +%s)
WS=$RUN/ws-exthost EXT=$ROOT TESTS=$RUN/exthost-tests/index node "$ROOT/test/e2e/exthost-driver.mjs" || failed=$((failed + 1))
echo "[$(seconds) s] extension host tests: $(( $(date +%s) - t )) s"

kill -- -"$CODE_SERVER_PID" 2>/dev/null
if [ "$failed" -gt 0 ]; then
  cp "$RUN/code-server.log" "$ARTIFACTS/" 2>/dev/null
  cp -r "$RUN/profile/logs" "$ARTIFACTS/vscode-logs" 2>/dev/null
  echo "e2e: $failed of 2 suites failed after $(seconds) s; screenshots and logs in $ARTIFACTS"
  exit 1
fi
echo "e2e: 2 suites passed in $(seconds) s; screenshots in $ARTIFACTS"
