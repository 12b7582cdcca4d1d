import { describe, expect, test } from '@jest/globals';
import { createFairGate, createPasswordHasher } from '../../src/domain/passwords.js';

/** A task that runs until the test lets it finish, recording when it started. */
function heldTask(name: string, started: string[]) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: async () => { started.push(name); await done; return name; }, finish: () => finish() };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the bcrypt gate', () => {
  test('runs at most `size` tasks at once, and a fresh asker goes before a crowd from one IP or at one account', async () => {
    const gate = createFairGate(2);
    const started: string[] = [];
    const tasks = new Map<string, ReturnType<typeof heldTask>>();
    const run = (name: string, keys: string[]) => {
      const held = heldTask(name, started);
      tasks.set(name, held);
      return gate(keys, held.task);
    };
    const flood = [1, 2, 3, 4].map((i) => run(`flood${i}`, ['ip:attacker', `subject:s${i}`]));
    const distributed = [1, 2].map((i) => run(`spread${i}`, [`ip:bot${i}`, 'subject:victim']));
    const person = run('person', ['ip:office', 'subject:owner']);
    await turn();
    expect(started).toEqual(['flood1', 'flood2']);

    tasks.get('flood1')!.finish();
    await turn();
    // spread1 was the first at its IP and at the victim's account: fresh as well, and earlier.
    expect(started).toEqual(['flood1', 'flood2', 'spread1']);
    tasks.get('flood2')!.finish();
    await turn();
    expect(started).toEqual(['flood1', 'flood2', 'spread1', 'person']);

    // The crowd follows, in its order of arrival.
    tasks.get('spread1')!.finish();
    await turn();
    expect(started.at(-1)).toBe('flood3');
    for (let i = 0; i < 4; i += 1) {
      for (const held of tasks.values()) held.finish();
      await turn();
    }
    expect(await Promise.all([...flood, ...distributed, person])).toHaveLength(7);
    expect(started).toHaveLength(7);
  });

  test('a refusal decided at the turn (a lock) spends no bcrypt and is never a match, even for the right password', async () => {
    const hasher = createPasswordHasher({ cost: 4, concurrency: 1 });
    const hash = await hasher.hash('Right-Passw0rd!');
    expect(await hasher.verify('Right-Passw0rd!', hash, { isRefused: async () => true })).toBe(false);
    expect(await hasher.verify('Right-Passw0rd!', hash, { isRefused: async () => false })).toBe(true);
  });
});
