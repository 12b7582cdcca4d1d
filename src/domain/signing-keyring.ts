import { AppError } from '../errors/index.js';
import type { SigningKeysRepo } from '../store/pg/signing-keys-repo.js';
import type { AuditActor, AuditLog } from './audit.js';
import type { SecretBox } from './secret-box.js';
import { listSigningKeys, loadPrivateJwks, reencryptSigningKeys, rotateSigningKeys, signingKeysVersion, type SigningKeyView } from './signing-keys.js';

export type PrivateJwks = Awaited<ReturnType<typeof loadPrivateJwks>>;
type ReloadListener = (jwks: PrivateJwks) => void | Promise<void>;

/**
 * The signing keys of one process: what the CLI's `pforte keys` commands change, and what
 * the provider signs and verifies with. A change made here reloads this process at once;
 * other processes call `reload()` (cheap when nothing changed: one small query, nothing
 * decrypted), which hands the new private JWKS to every `onReload` listener.
 */
export function createSigningKeyring({ repo, box, audit }: { repo: SigningKeysRepo; box: SecretBox; audit: AuditLog }) {
  const listeners = new Set<ReloadListener>();
  let loadedVersion: string | undefined;

  const reload = async (): Promise<boolean> => {
    const version = await signingKeysVersion(repo);
    if (version === loadedVersion) return false;
    const jwks = await loadPrivateJwks(repo, box);
    loadedVersion = version;
    for (const listener of listeners) await listener(jwks);
    return true;
  };

  return {
    repo,
    box,
    /** The private JWKS as stored now, remembered as the version this process runs with. */
    async load(): Promise<PrivateJwks> {
      const version = await signingKeysVersion(repo);
      const jwks = await loadPrivateJwks(repo, box);
      loadedVersion = version;
      return jwks;
    },
    reload,
    onReload(listener: ReloadListener): void {
      listeners.add(listener);
    },
    list: (): Promise<SigningKeyView[]> => listSigningKeys(repo),

    /** A new key per algorithm signs from now on; the old ones stay published. */
    async rotate(actor?: AuditActor): Promise<SigningKeyView[]> {
      const kids = await rotateSigningKeys(repo, box);
      await audit.record('keys.rotated', { actor: actor ?? null, detail: { kids } });
      await reload();
      return (await listSigningKeys(repo)).filter((key) => kids.includes(key.kid));
    },

    /** Removes a published key from the JWKS: tokens signed with it no longer verify. */
    async retire(kid: string, actor?: AuditActor): Promise<void> {
      const key = (await listSigningKeys(repo)).find((k) => k.kid === kid);
      if (!key) throw new AppError('signing_key_not_found', { message: 'no such signing key' });
      if (key.status === 'signing') throw new AppError('signing_key_in_use', { message: 'the key signs tokens; rotate first, then retire it' });
      if (!(await repo.deletePublished(kid))) throw new AppError('signing_key_in_use', { message: 'the key changed meanwhile; list the keys again' });
      await audit.record('keys.retired', { actor: actor ?? null, detail: { kid } });
      await reload();
    },

    /** Re-seals the private keys under the current (first) KEY_ENCRYPTION_SECRET. */
    async reencrypt(actor?: AuditActor): Promise<number> {
      const count = await reencryptSigningKeys(repo, box);
      await audit.record('keys.reencrypted', { actor: actor ?? null, detail: { signing_keys: count } });
      return count;
    },
  };
}

export type SigningKeyring = ReturnType<typeof createSigningKeyring>;
