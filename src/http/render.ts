import { join } from 'node:path';
import ejs from 'ejs';
import type { Context } from 'koa';
import { DEFAULT_LOCALE, translator, type Locale } from '../i18n/index.js';
import { viewsDir } from '../paths.js';
import { pageBrand } from './branding.js';

export interface PageData {
  [key: string]: unknown;
  title?: string;
  errors?: Record<string, string>;
  values?: Record<string, string>;
}

/** Renders `views/pages/<page>.ejs` in the request's locale (set by the controller). */
export async function renderPage(ctx: Context, page: string, data: PageData = {}, status = 200): Promise<void> {
  const locale: Locale = ctx.state.locale ?? DEFAULT_LOCALE;
  const html = await ejs.renderFile(join(viewsDir, 'pages', `${page}.ejs`), {
    errors: {},
    values: {},
    ...data,
    locale,
    t: translator(locale),
    requestId: ctx.state.requestId,
    brand: await pageBrand(ctx),
  }, { cache: process.env.NODE_ENV === 'production' });
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}
