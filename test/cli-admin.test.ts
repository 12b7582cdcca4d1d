import { createCliRunner } from './helpers/cli.js';

/** The administration commands of issue 10 (keys, audit, client secrets, initial access tokens). */
const { pforte, pforteJson, setUp, tearDown } = createCliRunner();
beforeAll(setUp);
afterAll(tearDown);

interface KeyView { kid: string; alg: string; status: string; created_at: string }

describe('pforte keys', () => {
  it('lists, rotates and retires signing keys; the signing key cannot be retired', async () => {
    const first = await pforteJson<KeyView[]>('keys', 'list');
    expect(first.map((k) => [k.alg, k.status]).sort()).toEqual([['ES256', 'signing'], ['RS256', 'signing']]);

    const rotated = await pforteJson<KeyView[]>('keys', 'rotate');
    expect(rotated.map((k) => k.status)).toEqual(['signing', 'signing']);
    const listed = await pforteJson<KeyView[]>('keys', 'list');
    expect(listed).toHaveLength(4);
    for (const old of first) expect(listed.find((k) => k.kid === old.kid)?.status).toBe('published');

    const refused = await pforte('keys', 'retire', rotated[0]!.kid, '--json');
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stderr)).toMatchObject({ error: 'signing_key_in_use' });
    const unknown = await pforte('keys', 'retire', 'nope', '--json');
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: 'signing_key_not_found' });

    expect(await pforteJson('keys', 'retire', first[0]!.kid)).toEqual({ kid: first[0]!.kid, retired: true });
    expect((await pforteJson<KeyView[]>('keys', 'list')).map((k) => k.kid)).not.toContain(first[0]!.kid);
  });

  it('re-seals signing keys and client secrets', async () => {
    await pforteJson('client', 'create', '--name', 'Sealed', '--redirect-uri', 'https://sealed.example/cb');
    expect(await pforteJson('keys', 'reencrypt')).toEqual({ signing_keys: 3, client_secrets: 1 });
  });
});
