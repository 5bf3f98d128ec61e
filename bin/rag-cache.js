#!/usr/bin/env node
'use strict';

// The CLI is TypeScript under src/cli, compiled by `npm run build` into dist/.
let cli;
try {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cli = require('../dist/src/cli/main.js');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes('cli/main.js'))
    throw error;
  process.stderr.write('rag-cache: dist/ is missing; run `npm run build` first\n');
  process.exit(1);
}
cli.runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`rag-cache: ${error.stack || error}\n`);
    process.exitCode = 1;
  },
);
