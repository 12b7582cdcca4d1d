import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DevSecretSource } from './index.js';

interface StoredSecrets {
  cookieSecrets: string[];
  keyEncryptionSecret: string;
}

/**
 * Outside production, secrets the operator did not set are generated once and kept in
 * `<dataDir>/secrets.json` (mode 0600), so restarts keep sessions and signing keys.
 */
export function fileDevSecrets(dataDir: string): DevSecretSource {
  let cached: StoredSecrets | undefined;
  const load = (): StoredSecrets => {
    if (cached) return cached;
    const file = join(dataDir, 'secrets.json');
    try {
      cached = JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
    } catch {
      cached = {
        cookieSecrets: [randomBytes(32).toString('base64url')],
        keyEncryptionSecret: randomBytes(32).toString('base64url'),
      };
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, JSON.stringify(cached, null, 2), { mode: 0o600 });
    }
    return cached;
  };
  return {
    cookieSecrets: () => load().cookieSecrets,
    keyEncryptionSecret: () => load().keyEncryptionSecret,
  };
}
