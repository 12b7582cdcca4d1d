import type { Context } from 'koa';
import type { Config } from '../config/index.js';

export const deviceCookieName = (config: Config) => `${config.isHttps ? '__Host-' : ''}pforte.device`;

export function readDeviceToken(ctx: Context, config: Config): string | undefined {
  return ctx.cookies.get(deviceCookieName(config)) ?? undefined;
}

/** The trusted-device cookie: long-lived, HttpOnly, Lax, `__Host-` and Secure on https. */
export function setDeviceToken(ctx: Context, config: Config, token: string, expiresAt: Date): void {
  ctx.cookies.set(deviceCookieName(config), token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.isHttps,
    path: '/',
    expires: expiresAt,
    overwrite: true,
  });
}
