import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from 'koa';
import { projectRoot } from '../paths.js';

/** The files pages load; `script-src 'self'` is why the one script is a file, not inline. */
const ASSETS: Record<string, { file: string; type: string }> = {
  '/assets/pforte.css': { file: 'pforte.css', type: 'text/css' },
  '/assets/auto-submit.js': { file: 'auto-submit.js', type: 'text/javascript' },
};

/** The stylesheet and the auto-submit script, served from memory. */
export function assets(): Middleware {
  const served = new Map(Object.entries(ASSETS).map(([path, { file, type }]) => [path, { type, body: readFileSync(join(projectRoot, 'public', file)) }]));
  return async (ctx, next) => {
    const asset = served.get(ctx.path);
    if (!asset || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = asset.body;
  };
}
