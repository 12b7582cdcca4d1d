import { expect, test } from '@jest/globals';
import { createAuditLog } from '../../src/domain/audit.js';
import { metricsFor } from '../../src/observability/metrics.js';
import type { AuditRepo } from '../../src/store/pg/audit-repo.js';

test('one set of metrics per audit log, subscribed once however often the app is rebuilt', async () => {
  const rows: unknown[] = [];
  const audit = createAuditLog({ insert: async (row: unknown) => { rows.push(row); } } as unknown as AuditRepo);
  const first = metricsFor(audit);
  expect(metricsFor(audit)).toBe(first); // a rebuilt app (signing key reload) gets the same
  await audit.record('login.success', { detail: { method: 'password' } });
  await audit.record('login.failure', { detail: { method: '<script>' } }); // never a label value from outside the set
  const text = await first.registry.metrics();
  expect(text).toContain('pforte_logins_total{method="password",outcome="success"} 1');
  expect(text).toContain('pforte_logins_total{method="other",outcome="failure"} 1');
  expect(rows).toHaveLength(2);
  // Another runtime (another audit log) counts on its own.
  expect(await metricsFor(createAuditLog({ insert: async () => undefined } as unknown as AuditRepo)).registry.getSingleMetricAsString('pforte_logins_total')).not.toContain(' 1');
});
