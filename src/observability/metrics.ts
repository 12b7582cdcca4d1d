import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { AuditEvents, AuditListener } from '../domain/audit.js';

/**
 * The Prometheus series of SPEC 8, on a registry of their own (no module singletons: a test
 * can run two apps in one process). Labels take values from small fixed sets only: never an
 * id, an address, a path with an id or anything a person typed.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logins = new Counter({ name: 'pforte_logins_total', help: 'Sign-ins finished or refused, by first method and outcome', labelNames: ['method', 'outcome'], registers: [registry] });
  const tans = new Counter({ name: 'pforte_tans_total', help: 'Email TANs: sent, failed (a wrong entry) and void (too many wrong entries)', labelNames: ['event'], registers: [registry] });
  const devices = new Counter({ name: 'pforte_devices_total', help: 'Trusted devices: trusted, used (sign-in shortcut) and revoked', labelNames: ['event'], registers: [registry] });
  const tokens = new Counter({ name: 'pforte_tokens_issued_total', help: 'Token responses of the token endpoint, by grant type', labelNames: ['grant_type'], registers: [registry] });
  const lockouts = new Counter({ name: 'pforte_lockouts_total', help: 'Locks set on an account (per account and IP, whole account, or hard)', registers: [registry] });
  const requestSeconds = new Histogram({
    name: 'pforte_http_request_duration_seconds',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['route', 'method', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const oneOf = (value: unknown, allowed: readonly string[]) => (typeof value === 'string' && allowed.includes(value) ? value : 'other');

  /** Subscribed to the audit log: each security-relevant act counted where SPEC 8 names it. */
  const observeAudit: AuditListener = (type, event) => {
    const method = oneOf(event.detail?.method, ['password', 'agent', 'device']);
    if (type === 'login.success') logins.inc({ method, outcome: 'success' });
    else if (type === 'login.failure') logins.inc({ method, outcome: 'failure' });
    else if (type === 'tan.sent' || type === 'tan.failed' || type === 'tan.void') tans.inc({ event: type.slice('tan.'.length) });
    else if (type === 'device.trusted' || type === 'device.used' || type === 'device.revoked') devices.inc({ event: type.slice('device.'.length) });
    else if (type === 'account.locked') lockouts.inc();
  };

  return {
    registry,
    observeAudit,
    tokenIssued(grantType: unknown): void {
      tokens.inc({ grant_type: oneOf(grantType, ['authorization_code', 'refresh_token', 'client_credentials']) });
    },
    requestFinished({ route, method, status, seconds }: { route: string; method: string; status: number; seconds: number }): void {
      requestSeconds.observe({ route, method: oneOf(method, ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH']), status: String(status) }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

const metricsByAuditLog = new WeakMap<AuditEvents, Metrics>();

/**
 * The metrics of one runtime, subscribed once to its audit log (SPEC 8: metrics hear the
 * acts the audit log records), however often the app is rebuilt (signing key reload).
 * Only the HTTP app loads this module: the CLI does not pay for prom-client.
 */
export function metricsFor(audit: AuditEvents): Metrics {
  let metrics = metricsByAuditLog.get(audit);
  if (!metrics) {
    metrics = createMetrics();
    audit.subscribe(metrics.observeAudit);
    metricsByAuditLog.set(audit, metrics);
  }
  return metrics;
}
