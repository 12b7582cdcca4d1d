import bcrypt from 'bcrypt';

/** bcrypt silently ignores everything after 72 bytes; longer passwords are refused instead. */
export const BCRYPT_MAX_BYTES = 72;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Compares; with no hash (unknown account) it still spends one bcrypt comparison. */
  verify(password: string, hash: string | null | undefined): Promise<boolean>;
}

export function createPasswordHasher({ cost }: { cost: number }): PasswordHasher {
  // A real hash of a random value at the configured cost, so an unknown account costs
  // exactly what a wrong password costs.
  const dummyHash = bcrypt.hash(crypto.randomUUID(), cost);
  return {
    async hash(password) {
      if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES) throw new RangeError('password longer than 72 bytes');
      return bcrypt.hash(password, cost);
    },
    async verify(password, hash) {
      const tooLong = Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
      const matches = await bcrypt.compare(tooLong ? '' : password, hash ?? (await dummyHash));
      return matches && Boolean(hash) && !tooLong;
    },
  };
}
