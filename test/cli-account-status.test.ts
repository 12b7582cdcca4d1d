import pg from 'pg';
import { createCliRunner } from './helpers/cli.js';

/** `pforte user unlock|block|unblock`: the CLI acts as an administrator through the actor policy. */
const { pforte, pforteJson, databaseUrl, setUp, tearDown } = createCliRunner();
beforeAll(setUp);
afterAll(tearDown);

async function sql<T = Record<string, unknown>>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('pforte user unlock', () => {
  it('records the administrator as actor (kind and id)', async () => {
    const created = await pforteJson('user', 'create', '--email', 'unlock.me@example.com', '--password', 'Correct-Horse-7');
    expect(await pforteJson('user', 'unlock', 'unlock.me@example.com')).toEqual({ id: created.id, email: 'unlock.me@example.com', unlocked: true });
    const [event] = await sql('select actor, actor_kind, actor_id from audit_events where account_id = $1 and type = $2', [created.id, 'account.unlocked']);
    expect(event).toEqual({ actor: 'cli', actor_kind: 'admin', actor_id: 'cli' });
  });

  it('reports an unknown user as not found (exit 3)', async () => {
    const result = await pforte('user', 'unlock', 'nobody@example.com', '--json');
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: 'user_not_found' });
  });
});

describe('pforte user block|unblock', () => {
  it('blocks and unblocks by email, as the administrator, with JSON output', async () => {
    const created = await pforteJson('user', 'create', '--email', 'block.me@example.com', '--password', 'Correct-Horse-7');
    expect(await pforteJson('user', 'block', 'block.me@example.com')).toEqual({ id: created.id, email: 'block.me@example.com', status: 'blocked' });
    expect((await pforteJson('user', 'show', String(created.id))).status).toBe('blocked');
    expect(await pforteJson('user', 'unblock', String(created.id))).toEqual({ id: created.id, email: 'block.me@example.com', status: 'active' });
    const events = await sql('select type, actor_kind from audit_events where account_id = $1 and type like $2 order by id', [created.id, 'account.%blocked']);
    expect(events).toEqual([{ type: 'account.blocked', actor_kind: 'admin' }, { type: 'account.unblocked', actor_kind: 'admin' }]);
  });

  it('reports an unknown user as not found and changes nothing', async () => {
    const result = await pforte('user', 'block', 'nobody@example.com', '--json');
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });
});
