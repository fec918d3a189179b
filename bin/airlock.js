#!/usr/bin/env node
'use strict';
// The CLI is bundled into dist/cli.js by `npm run build` (which `npm ci` runs).
require('../dist/cli.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
