#!/usr/bin/env node
// The `pforte` CLI runs the compiled TypeScript in dist/ (see src/cli/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/index.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('pforte: dist/ is missing; run npm run build first\n');
  process.exitCode = 1;
} else {
  const { runCli } = await import(entry.href);
  process.exitCode = await runCli(process.argv);
}
