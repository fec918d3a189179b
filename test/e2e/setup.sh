#!/usr/bin/env bash
# Installs what the real-editor tests need, outside the project's dependencies (they are large and
# need special install settings): Debian's chromium, libkrb5-dev (a native module of code-server
# builds against it) and ripgrep (apt); code-server (it bundles VS Code 1.100.3 and runs on Node 20)
# and playwright-core (drives the browser; it downloads no browser of its own) from npm, into
# $AIRLOCK_E2E_TOOLS. A second run with everything present does nothing, so CI can cache the folder.
set -euo pipefail
TOOLS=${AIRLOCK_E2E_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/airlock-e2e}
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
# code-server 4.100.3 depends on @vscode/ripgrep 1.15.11, whose postinstall fetches this asset
# from GitHub unless it finds it in its cache folder under $TMPDIR.
RIPGREP_PACKAGE_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

mkdir -p "$TOOLS/tmp"
export TMPDIR=$TOOLS/tmp
started=$(date +%s)

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  # Other jobs on the machine may hold the dpkg lock for a while: wait for it instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium libkrb5-dev ripgrep >/dev/null
fi

installed_version() { node -p "require('$TOOLS/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ "$(installed_version code-server)" != "$CODE_SERVER_VERSION" ] || [ "$(installed_version playwright-core)" != "$PLAYWRIGHT_VERSION" ]; then
  seed="$TMPDIR/vscode-ripgrep-cache-$RIPGREP_PACKAGE_VERSION"
  mkdir -p "$seed" "$TMPDIR/rg-seed"
  cp "$(command -v rg)" "$TMPDIR/rg-seed/rg"
  tar czf "$seed/$RIPGREP_ASSET" -C "$TMPDIR/rg-seed" rg
  [ -f "$TOOLS/package.json" ] || echo '{ "name": "airlock-e2e-tools", "private": true }' > "$TOOLS/package.json"
  # code-server's postinstall refuses to run as root without unsafe-perm; node-pty's postinstall
  # runs `npx node-gyp`, which must not stop to ask.
  (cd "$TOOLS" && npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION")
fi

test -x "$TOOLS/node_modules/.bin/code-server"
echo "e2e tools ready in $TOOLS ($(( $(date +%s) - started )) s): code-server $(installed_version code-server), playwright-core $(installed_version playwright-core), $(chromium --version)"
