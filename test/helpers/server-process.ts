import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface ServerProcess {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  /** Resolves once a JSON log line matches (lines already seen count). */
  waitForLog(match: (line: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  logs(): Record<string, unknown>[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The real pforte (`node dist/src/main.js`, built by `npm test`'s pretest) as its own
 * process, as an operator runs it: for signals, kill -9 and several processes. Resolves
 * once it listens.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/src/main.js')], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', BCRYPT_COST: '4', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<{ match: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }> = [];
  let rest = '';
  let stderrText = '';
  child.stderr.on('data', (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const complete = rest.split('\n');
    rest = complete.pop()!;
    for (const text of complete) {
      stderrText += `${text}\n`;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue; // startup messages of the demo seed and the like
      }
      lines.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stdout.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  const waitForLog = (match: (line: Record<string, unknown>) => boolean) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(({ code }) => reject(new Error(`pforte exited (${code}) while a test waited for a log line:\n${stderrText.slice(-2000)}`)));
    });
  };
  await waitForLog((line) => line.msg === 'pforte listening');
  return { pid: child.pid!, kill: (signal) => child.kill(signal), waitForLog, logs: () => lines, exited };
}
