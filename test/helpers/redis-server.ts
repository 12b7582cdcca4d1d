import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** A redis-server (or sentinel) process of the test's own, stopped and started by its PID. */
export interface RedisProcess {
  port: number;
  pid(): number | undefined;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * Starts `redis-server` with `args` (after the port) and resolves once it printed `ready`.
 * Never touches the machine's Redis: each process has its own free loopback port.
 */
export async function startRedisProcess({ port, args, ready = /Ready to accept connections/ }: { port: number; args: string[]; ready?: RegExp }): Promise<RedisProcess> {
  let child: ChildProcess | undefined;
  async function start(): Promise<void> {
    const started = spawn('redis-server', [...args, '--port', String(port), '--bind', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = started;
    await waitForOutput(started, ready);
  }
  async function stop(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  }
  await start();
  return { port, pid: () => child?.pid, start, stop };
}

/**
 * A single redis-server on a free loopback port. It writes an append-only file, so a
 * restart keeps what was stored, as a production Redis with persistence would.
 */
export interface RedisServer extends RedisProcess {
  url: string;
  /** Stops it for good and removes its files. */
  remove(): Promise<void>;
}

export async function startRedisServer(extraArgs: string[] = []): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'pforte-redis-'));
  const server = await startRedisProcess({ port, args: ['--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir, ...extraArgs] });
  return {
    ...server,
    url: `redis://127.0.0.1:${port}`,
    async remove() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the process printed a line matching `ready`; rejects if it exits first. */
export function waitForOutput(child: ChildProcess, ready: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      if (ready.test(seen)) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`process exited (${code}) before it was ready: ${seen.slice(-500)}`)));
  });
}
