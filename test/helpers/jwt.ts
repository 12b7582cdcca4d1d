import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { TestApp } from './test-app.js';

/**
 * Verifies a JWT pforte signed against its published JWKS (RS256 or ES256) and returns
 * the payload; throws when the key, the algorithm or the signature does not fit.
 */
export async function verifyProviderJwt(app: TestApp, token: string): Promise<Record<string, unknown>> {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  const header = JSON.parse(Buffer.from(headerPart!, 'base64url').toString()) as { alg: string; kid: string };
  const { keys } = (await (await fetch(`${app.url}/jwks`)).json()) as { keys: Array<JsonWebKey & { kid: string }> };
  const jwk = keys.find((k) => k.kid === header.kid);
  if (!jwk) throw new Error(`no published key ${header.kid}`);
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  const data = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart!, 'base64url');
  const valid = header.alg === 'RS256' ? verify('sha256', data, key, signature)
    : header.alg === 'ES256' ? verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : false;
  if (!valid) throw new Error(`signature (${header.alg}) does not verify`);
  return JSON.parse(Buffer.from(payloadPart!, 'base64url').toString()) as Record<string, unknown>;
}
