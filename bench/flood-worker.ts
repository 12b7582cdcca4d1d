import { parentPort, workerData } from 'node:worker_threads';

/**
 * The attackers of the password-flood bench, in a thread of their own: their HTTP client
 * work (building, sending, reading 200 requests) must not run on pforte's event loop, as it
 * would not in real life. Per round it fires every attacker's post at once, says "fired",
 * and reports the answers' statuses when all are in.
 */
export interface FloodAttacker {
  /** The login page of the attacker's own interaction, and its cookies. */
  interaction: string;
  cookie: string;
}

/**
 * Who attacks whom in a round: `one-ip` at one account, `many-ips` at one account, `spray`
 * at unknown addresses; `pages` only loads the login page from many addresses (no password
 * work at all: what any burst of this many page requests costs).
 */
export interface FloodOrder {
  kind: 'one-ip' | 'many-ips' | 'spray' | 'pages';
  /** Each scenario attacks from its own address range, so one scenario's locks do not help the next. */
  scenarioNo: number;
  round: number;
}

export type FloodReport = { type: 'fired' } | { type: 'answered'; statuses: Record<number, number> };

const VICTIM = 'flood.victim@example.com';

function target({ kind, scenarioNo, round }: FloodOrder, i: number): { ip: string; email: string } {
  const spread = `10.${scenarioNo}.${i >> 8}.${i & 255}`;
  if (kind === 'one-ip') return { ip: `198.51.100.${scenarioNo}`, email: VICTIM };
  if (kind === 'many-ips' || kind === 'pages') return { ip: spread, email: VICTIM };
  return { ip: spread, email: `sprayed.${round}.${i}@example.com` };
}

const { base, attackers } = workerData as { base: string; attackers: FloodAttacker[] };
parentPort!.on('message', async (order: FloodOrder) => {
  const statuses: Record<number, number> = {};
  const posts = attackers.map(async ({ interaction, cookie }, i) => {
    const { ip, email } = target(order, i);
    const res = order.kind === 'pages'
      ? await fetch(new URL(interaction, base), { redirect: 'manual', headers: { cookie, 'x-forwarded-for': ip } })
      : await fetch(new URL(`${interaction}/password`, base), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'x-forwarded-for': ip, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email, password: `Wrong-${order.round}-Passw0rd!` }).toString(),
      });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
  });
  parentPort!.postMessage({ type: 'fired' } satisfies FloodReport);
  await Promise.all(posts);
  parentPort!.postMessage({ type: 'answered', statuses } satisfies FloodReport);
});
