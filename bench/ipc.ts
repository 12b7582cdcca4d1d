import { fork, type ChildProcess } from 'node:child_process';

/**
 * The bench runs each server in a child process of its own, so `process.cpuUsage` there
 * is that server's CPU alone. The parent calls named commands; a child answers them.
 */
type Handlers = Record<string, (args: any) => Promise<unknown> | unknown>;

interface Call { id: number; cmd: string; args?: unknown }
interface Answer { id: number; result?: unknown; error?: string }

/** In a child: answers the parent's calls; `cpu` (CPU ms used so far) is always there. */
export function serveCommands(handlers: Handlers): void {
  const all: Handlers = { cpu: () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; }, ...handlers };
  process.on('message', async ({ id, cmd, args }: Call) => {
    try {
      const handler = all[cmd];
      if (!handler) throw new Error(`unknown bench command ${cmd}`);
      process.send!({ id, result: await handler(args) } satisfies Answer);
    } catch (error) {
      process.send!({ id, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies Answer);
    }
  });
  // A parent that dies takes its servers along.
  process.on('disconnect', () => process.exit(0));
}

export interface BenchServer {
  call<T = unknown>(cmd: string, args?: unknown): Promise<T>;
  /** CPU milliseconds the server process has used so far. */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `file` (next to this module) as a child and waits for its `ready` answer. */
export async function startServer(file: string, env: Record<string, string> = {}): Promise<BenchServer> {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of each server there when it stops.
  const execArgv = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = fork(new URL(file, import.meta.url), [], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  child.on('message', ({ id, result, error }: Answer) => {
    const waiter = pending.get(id);
    pending.delete(id);
    if (error) waiter?.reject(new Error(error));
    else waiter?.resolve(result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${file} exited with ${code}`));
    pending.clear();
  });
  const ready = new Promise((resolve, reject) => pending.set(0, { resolve, reject }));
  const call = <T>(cmd: string, args?: unknown) => new Promise<T>((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
    child.send({ id, cmd, args } satisfies Call);
  });
  await ready;
  return {
    call,
    cpuMs: () => call<number>('cpu'),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await call('stop').catch(() => undefined);
      child.disconnect();
      await exited;
    },
  };
}
