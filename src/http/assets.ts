import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Middleware } from 'koa';
import { projectRoot } from '../paths.js';

/** The one stylesheet, served from memory (pages need no other asset). */
export function assets(): Middleware {
  const css = readFileSync(join(projectRoot, 'public', 'pforte.css'));
  return async (ctx, next) => {
    if (ctx.path !== '/assets/pforte.css') return next();
    ctx.type = 'text/css';
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.body = css;
  };
}
