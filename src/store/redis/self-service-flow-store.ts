import type { RedisClient } from './connect.js';

const key = (id: string) => `pforte:ssflow:{${id}}`;

/**
 * Moves a flow from one state to the next in one step: of parallel requests exactly one
 * sees its expected state and writes; the others get 0. The TTL is set anew (PX) because
 * a state may live longer than the one before (a mailed link outlives the form).
 */
const TRANSITION_SCRIPT = `
if redis.call('HGET', KEYS[1], 'state') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'record', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`;

/**
 * Self-service flows (registration, recovery) under their own id, each with a TTL. The
 * state is a field of its own so the transition script compares it without decoding JSON.
 */
export function createSelfServiceFlowStore(redis: RedisClient) {
  return {
    async create(id: string, state: string, record: string, ttlMs: number): Promise<void> {
      await redis.multi().hset(key(id), 'state', state, 'record', record).pexpire(key(id), ttlMs).exec();
    },
    async get(id: string): Promise<string | undefined> {
      return (await redis.hget(key(id), 'record')) ?? undefined;
    },
    async transition(id: string, from: string, to: string, record: string, ttlMs: number): Promise<boolean> {
      return (await redis.eval(TRANSITION_SCRIPT, 1, key(id), from, to, record, String(ttlMs))) === 1;
    },
  };
}

export type SelfServiceFlowStore = ReturnType<typeof createSelfServiceFlowStore>;
