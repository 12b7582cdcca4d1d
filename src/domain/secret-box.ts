import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Authenticated encryption at rest (AES-256-GCM) for private signing keys and client
 * secrets. The key is derived per purpose from KEY_ENCRYPTION_SECRET with HKDF, so one
 * ciphertext cannot be replayed as another kind of secret.
 *
 * KEY_ENCRYPTION_SECRET may list several secrets so it can be rotated: the first seals,
 * every one opens (`pforte keys reencrypt` re-seals everything under the first).
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws SecretNotOpened when no configured secret opens `sealed`. */
  open(sealed: string): string;
}

/** A sealed value that none of the configured secrets opens (wrong or removed secret). */
export class SecretNotOpened extends Error {
  constructor() {
    super('none of the configured KEY_ENCRYPTION_SECRET values opens this sealed secret');
    this.name = 'SecretNotOpened';
  }
}

function openWith(key: Buffer, raw: Buffer): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

export function createSecretBox(secrets: string | readonly string[], purpose: string): SecretBox {
  const keys = [secrets].flat().map((secret) => Buffer.from(hkdfSync('sha256', secret, 'pforte', purpose, 32)));
  if (keys.length === 0) throw new Error('a secret box needs at least one secret');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys[0]!, iv);
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      if (!sealed.startsWith('v1.')) throw new SecretNotOpened();
      const raw = Buffer.from(sealed.slice(3), 'base64url');
      for (const key of keys) {
        const plaintext = openWith(key, raw);
        if (plaintext !== undefined) return plaintext;
      }
      throw new SecretNotOpened();
    },
  };
}

/** A key for one purpose (TAN digests, device-token hashes, CSRF tokens) from the master secret. */
export function deriveKey(secret: string, purpose: string): string {
  return Buffer.from(hkdfSync('sha256', secret, 'pforte', purpose, 32)).toString('base64url');
}
