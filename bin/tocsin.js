#!/usr/bin/env node
// The `tocsin` command: runs the built CLI (npm run build writes dist/).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    process.stderr.write('tocsin: not built yet; run `npm run build` (or `npm ci`, then `npm run build`)\n');
    process.exit(2);
  }
  throw err;
});
