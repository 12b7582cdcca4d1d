import { generateKeyPairSync, randomUUID, type JsonWebKey } from 'node:crypto';
import type { SigningKeysRepo } from '../store/pg/signing-keys-repo.js';
import type { SecretBox } from './secret-box.js';

/** Algorithms pforte signs with; RS256 first because it is the OIDC default. */
export const SIGNING_ALGS = ['RS256', 'ES256'] as const;
type SigningAlg = (typeof SIGNING_ALGS)[number];

function generateJwk(alg: SigningAlg): JsonWebKey {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'jwk' });
}

function publicPart(jwk: JsonWebKey): JsonWebKey {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

async function addKey(repo: SigningKeysRepo, box: SecretBox, alg: SigningAlg): Promise<string> {
  const kid = randomUUID();
  const jwk = { ...generateJwk(alg), kid, alg, use: 'sig' };
  await repo.insert({ kid, alg, public_jwk: publicPart(jwk) as Record<string, unknown>, private_jwk_encrypted: box.seal(JSON.stringify(jwk)) });
  return kid;
}

/** Creates an active key for every algorithm that has none (first start). */
export async function ensureSigningKeys(repo: SigningKeysRepo, box: SecretBox): Promise<void> {
  const rows = await repo.listPublished();
  for (const alg of SIGNING_ALGS) {
    if (!rows.some((r) => r.alg === alg && !r.retired_at)) await addKey(repo, box, alg);
  }
}

/** Retires the active key of each algorithm and creates a new one; old keys stay in JWKS. */
export async function rotateSigningKeys(repo: SigningKeysRepo, box: SecretBox): Promise<string[]> {
  const kids: string[] = [];
  for (const alg of SIGNING_ALGS) {
    await repo.retireActive(alg);
    kids.push(await addKey(repo, box, alg));
  }
  return kids;
}

/** Private JWKS for oidc-provider: active keys first, so the provider signs with them. */
export async function loadPrivateJwks(repo: SigningKeysRepo, box: SecretBox): Promise<{ keys: JsonWebKey[] }> {
  const rows = await repo.listPublished();
  return { keys: rows.map((r) => JSON.parse(box.open(r.private_jwk_encrypted)) as JsonWebKey) };
}

/** A signing key as `pforte keys list` shows it (SPEC 6). */
export interface SigningKeyView {
  kid: string;
  alg: string;
  /** `signing`: tokens are signed with it; `published`: only in the JWKS, so older tokens verify. */
  status: 'signing' | 'published';
  created_at: Date;
}

export async function listSigningKeys(repo: SigningKeysRepo): Promise<SigningKeyView[]> {
  const rows = await repo.listPublished();
  return rows.map((r) => ({ kid: r.kid, alg: r.alg, status: r.retired_at ? 'published' : 'signing', created_at: r.created_at }));
}

/**
 * Identifies the set of published keys and which of them sign, without decrypting
 * anything: a process reloads its keys only when this changes.
 */
export async function signingKeysVersion(repo: SigningKeysRepo): Promise<string> {
  const rows = await repo.listPublished();
  return rows.map((r) => `${r.kid}:${r.retired_at ? 'p' : 's'}`).join(',');
}

/** Re-seals every private key under the current secret; returns how many. */
export async function reencryptSigningKeys(repo: SigningKeysRepo, box: SecretBox): Promise<number> {
  const rows = await repo.listPublished();
  for (const row of rows) await repo.updateSealed(row.kid, box.seal(box.open(row.private_jwk_encrypted)));
  return rows.length;
}
