import type { Db } from './db.js';

export interface PolicyholderRecord {
  policy_number: string;
  /** YYYY-MM-DD */
  birth_date: string;
  name: string;
  email: string | null;
}

export interface UpsertCounts {
  imported: number;
  updated: number;
  unchanged: number;
}

/** Rows per statement: large imports (100 000 rows) go in bounded batches. */
const BATCH_SIZE = 1000;

export interface Policyholder extends PolicyholderRecord {
  account_id: string | null;
}

export function createPolicyholdersRepo(db: Db) {
  const selectOne = (policyNumber: string) =>
    db('policyholders')
      .select('policy_number', db.raw("to_char(birth_date, 'YYYY-MM-DD') as birth_date"), 'name', 'email', 'account_id')
      .where({ policy_number: policyNumber })
      .first<Policyholder | undefined>();
  return {
    /**
     * Inserts new policy numbers and updates changed ones in one transaction; a row equal
     * to what is stored is not written, so importing the same file twice changes nothing.
     */
    async upsert(records: readonly PolicyholderRecord[]): Promise<UpsertCounts> {
      const counts: UpsertCounts = { imported: 0, updated: 0, unchanged: 0 };
      await db.transaction(async (tx) => {
        for (let start = 0; start < records.length; start += BATCH_SIZE) {
          const batch = records.slice(start, start + BATCH_SIZE);
          const written = (await tx('policyholders')
            .insert(batch as never)
            .onConflict('policy_number')
            .merge({ birth_date: tx.raw('excluded.birth_date'), name: tx.raw('excluded.name'), email: tx.raw('excluded.email'), updated_at: tx.fn.now() } as never)
            .where(tx.raw('(policyholders.birth_date, policyholders.name, policyholders.email) is distinct from (excluded.birth_date, excluded.name, excluded.email)') as never)
            // xmax is 0 for a freshly inserted row and set for an updated one.
            .returning(tx.raw('(xmax = 0) as inserted') as never)) as unknown as Array<{ inserted: boolean }>;
          const inserted = written.filter((row) => row.inserted).length;
          counts.imported += inserted;
          counts.updated += written.length - inserted;
          counts.unchanged += batch.length - written.length;
        }
      });
      return counts;
    },

    async find(policyNumber: string): Promise<Policyholder | undefined> {
      return selectOne(policyNumber);
    },

    /** Locks the policyholder until the transaction ends: racing registrations wait here. */
    async findForUpdate(policyNumber: string): Promise<Policyholder | undefined> {
      return selectOne(policyNumber).forUpdate();
    },

    /** The account registered for this policy (one per policy number, SPEC 4.5). */
    async linkAccount(policyNumber: string, accountId: string): Promise<void> {
      await db('policyholders').where({ policy_number: policyNumber }).update({ account_id: accountId, updated_at: db.fn.now() });
    },
  };
}

export type PolicyholdersRepo = ReturnType<typeof createPolicyholdersRepo>;
