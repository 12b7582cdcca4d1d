import { expect, test } from '@jest/globals';
import { Browser } from '../helpers/browser.js';
import { startTestApp } from '../helpers/test-app.js';

test('readyz answers 503 once Postgres and Redis are unreachable; healthz stays up', async () => {
  const app = await startTestApp();
  try {
    const browser = new Browser(app.url);
    expect((await browser.get('/readyz')).status).toBe(200);
    // Cut both connections as an outage would.
    app.runtime.redis.disconnect();
    await app.runtime.db.destroy();
    const ready = await browser.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toEqual({ postgres: 'unavailable', redis: 'unavailable' });
    expect((await browser.get('/healthz')).status).toBe(200);
  } finally {
    await app.close().catch(() => undefined);
  }
});
