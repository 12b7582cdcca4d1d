import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { brandPalette } from '../domain/brand-colors.js';
import type { Brand } from '../domain/branding.js';
import { AppError } from '../errors/index.js';
import { OWN_CSP } from './security-headers.js';

/** What a page's header and footer show (views/partials/brand-*.ejs). */
export interface PageBrand extends Brand {
  /** The generated stylesheet of the brand colour, when there is one. */
  themeUrl?: string;
}

export interface BrandingDeps {
  brandFor(clientId: string): Promise<Brand | undefined>;
  brandLogo(hash: string): Promise<{ logo: Buffer; logo_type: string } | undefined>;
  /** The deployment's own brand, for pages outside an interaction and parts a client leaves out. */
  defaults: Brand;
}

/** Content-addressed: the URL changes whenever the content does, so browsers keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** An SVG opened on its own runs nothing and loads nothing (it was checked on upload too). */
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export const themePath = (color: string) => `/branding/theme/${color.slice(1)}.css`;

/** The stylesheet of one brand colour: custom properties only, read by public/pforte.css. */
export function themeStylesheet(color: string): string {
  const palette = brandPalette(color);
  return `:root { --accent: ${palette.accent}; --on-accent: ${palette.onAccent}; --accent-text: ${palette.accentText}; }\n`;
}

/**
 * Logos and colour stylesheets as files (the CSP allows no inline style), and the loader
 * `renderPage` uses to show the brand of the client whose interaction a page belongs to
 * (`ctx.state.clientId`, set where the interaction or the provider names the client).
 */
export function brandingRoutes(deps: BrandingDeps): { context: Middleware; routes: Router } {
  const context: Middleware = async (ctx, next) => {
    ctx.state.branding = deps;
    await next();
  };
  const routes = new Router({ prefix: '/branding' });
  routes.get('/logo/:file', async (ctx) => {
    const file = /^([0-9a-f]{64})\.(png|svg)$/.exec(ctx.params.file!);
    const found = file ? await deps.brandLogo(file[1]!) : undefined;
    if (!found || (found.logo_type === 'image/png') !== (file![2] === 'png')) throw new AppError('not_found');
    ctx.type = found.logo_type;
    ctx.set('Cache-Control', IMMUTABLE);
    if (found.logo_type !== 'image/png') {
      ctx.set('Content-Security-Policy', SVG_POLICY);
      ctx.state[OWN_CSP] = true;
    }
    ctx.body = found.logo;
  });
  routes.get('/theme/:file', (ctx) => {
    const file = /^([0-9a-f]{6})\.css$/.exec(ctx.params.file!);
    if (!file) throw new AppError('not_found');
    ctx.type = 'text/css';
    ctx.set('Cache-Control', IMMUTABLE);
    ctx.body = themeStylesheet(`#${file[1]}`);
  });
  return { context, routes };
}

/**
 * The brand a page shows: its client's parts over the deployment's. A brand that cannot be
 * read (Postgres away) gives the default look, so an error page still renders.
 */
export async function pageBrand(ctx: Context): Promise<PageBrand> {
  const deps = ctx.state.branding as BrandingDeps | undefined;
  const clientId = ctx.state.clientId as string | undefined;
  const own = deps && clientId ? await deps.brandFor(clientId).catch(() => undefined) : undefined;
  const brand: Brand = { ...deps?.defaults, ...own };
  return brand.color ? { ...brand, themeUrl: themePath(brand.color) } : brand;
}
