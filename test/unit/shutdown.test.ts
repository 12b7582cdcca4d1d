import { createServer, request } from 'node:http';
import { expect, test } from '@jest/globals';
import { createLogger } from '../../src/observability/logger.js';
import { createGracefulShutdown } from '../../src/shutdown.js';
import { LogCapture } from '../helpers/log-capture.js';

test('a request that never finishes is cut at the deadline; the pools still close and the exit code is 0', async () => {
  const server = createServer(() => undefined); // never answers
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const log = new LogCapture();
  const exits: number[] = [];
  let isClosed = false;
  const shutdown = createGracefulShutdown({
    server,
    logger: createLogger({ level: 'info', destination: log }),
    closeResources: async () => { isClosed = true; },
    graceMs: 50,
    exit: (code) => exits.push(code),
  });
  const hungUp = new Promise<string>((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/' }, () => resolve('answered'));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    req.end();
  });
  await new Promise<void>((resolve) => server.once('request', () => resolve()));
  await Promise.all([shutdown('SIGTERM'), shutdown('SIGTERM')]);
  expect(await hungUp).toBe('ECONNRESET');
  expect(isClosed).toBe(true);
  expect(exits).toEqual([0]);
  expect(log.find('requests still in flight at the shutdown deadline: closing their connections')).toHaveLength(1);
});
