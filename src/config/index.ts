import { isIP } from 'node:net';
import { z } from 'zod';
import { parseRedisUrl } from './redis-url.js';

/**
 * The one typed configuration of pforte (SPEC 2). Every environment variable is
 * declared here with its default; `loadConfig` reports every wrong variable at once.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max);
const secretList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .refine((list) => list.length > 0 && list.every((s) => s.length >= 32), {
    message: 'must be a comma-separated list of secrets, each at least 32 characters',
  });

/** One entry of BACKCHANNEL_LOGOUT_INTERNAL_HOSTS: a host name, an IP address or a CIDR network. */
export type InternalHost =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'network'; readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' };

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function parseInternalHost(entry: string): InternalHost | undefined {
  const value = entry.toLowerCase().replace(/\.$/, '');
  const [address = '', prefixText, ...rest] = value.replace(/^\[(.*)\]$/, '$1').split('/');
  const version = isIP(address);
  if (version !== 0 && rest.length === 0) {
    const bits = version === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
    // A /0 would let back-channel logout reach every address: refused, name the networks.
    if (!(prefix >= 1 && prefix <= bits)) return undefined;
    return { kind: 'network', address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
  }
  return HOST_NAME.test(value) && !/^[\d.]+$/.test(value) ? { kind: 'name', name: value } : undefined;
}

const internalHostList = z.string().transform((v, ctx) => {
  const hosts: InternalHost[] = [];
  for (const entry of v.split(',').map((s) => s.trim()).filter(Boolean)) {
    const host = parseInternalHost(entry);
    if (host) hosts.push(host);
    else ctx.addIssue({ code: 'custom', message: `"${entry}" is neither a host name, an IP address nor a CIDR network (prefix 1 or more)` });
  }
  return hosts;
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  ISSUER: z.url().optional(),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  REDIS_URL: z.string().superRefine((value, ctx) => {
    try {
      parseRedisUrl(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message.replace(/^REDIS_URL:? ?/, '') });
    }
  }).optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// URL').optional(),
  MAIL_FROM: z.string().min(3).default('pforte <no-reply@localhost>'),
  COOKIE_SECRETS: secretList.optional(),
  // Several secrets (comma-separated) while rotating: the first seals, all open.
  KEY_ENCRYPTION_SECRET: secretList.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: bool.default(false),
  BACKCHANNEL_LOGOUT_INTERNAL_HOSTS: internalHostList.optional(),
  TAN_LENGTH: int(4, 12).default(6),
  TAN_TTL_SECONDS: int(30, 24 * 3600).default(600),
  TAN_MAX_ATTEMPTS: int(1, 100).default(5),
  TAN_RESEND_COOLDOWN_SECONDS: int(0, 3600).default(60),
  TAN_MAX_SENDS_PER_HOUR: int(1, 1000).default(5),
  DEVICE_TRUST_DAYS: int(1, 3650).default(30),
  DEVICE_BIND_BROWSER_MAJOR: bool.default(false),
  STAY_SIGNED_IN_DAYS: int(1, 3650).default(30),
  SESSION_MAX_HOURS: int(1, 24 * 365).default(12),
  // A client change must be in force on every process within a minute.
  CLIENT_CACHE_SECONDS: int(0, 59).default(30),
  LOCKOUT_THRESHOLD: int(1, 1000).default(5),
  LOCKOUT_BASE_SECONDS: int(1).default(60),
  LOCKOUT_MAX_SECONDS: int(1).default(900),
  LOCKOUT_HARD_LIMIT: int(1, 100).default(100),
  LOCKOUT_ACCOUNT_THRESHOLD: int(2, 1000).optional(),
  RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: int(1, 100_000).default(30),
  RATE_LIMIT_TAN_PER_IP_PER_MINUTE: int(1, 100_000).default(30),
  RATE_LIMIT_AGENT_PER_IP_PER_MINUTE: int(1, 100_000).default(20),
  RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE: int(1, 100_000).default(10),
  RATE_LIMIT_FORGOT_PASSWORD_PER_IP_PER_MINUTE: int(1, 100_000).default(10),
  PASSWORD_MIN_LENGTH: int(8, 72).default(8),
  BCRYPT_COST: int(4, 15).default(12),
  INITIAL_PASSWORD_DAYS: int(1, 3650).default(30),
  ACTIVATION_LINK_DAYS: int(1, 365).default(7),
  CONFIRMATION_LINK_HOURS: int(1, 24 * 30).default(48),
  RESET_LINK_MINUTES: int(5, 24 * 60).default(60),
  AGENT_NUMBER_PATTERN: z
    .string()
    .default('^\\d{2}/\\d{3}/\\d{4}$')
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'must be a valid regular expression'),
  AGENT_LOGIN_REVEAL_MISMATCH: bool.default(false),
  SUPPORT_CONTACT: z.string().max(500).optional(),
  TERMS_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  SIGNING_KEYS_POLL_SECONDS: int(1, 60).default(30),
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').max(500).optional(),
  DATA_DIR: z.string().default('.data'),
});

type Env = z.infer<typeof schema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly isProduction: boolean;
  readonly port: number;
  readonly issuer: string;
  readonly isHttps: boolean;
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly cookieSecrets: readonly string[];
  /** The current (first) KEY_ENCRYPTION_SECRET: seals new secrets and derives HMAC keys. */
  readonly keyEncryptionSecret: string;
  /** Every KEY_ENCRYPTION_SECRET, current first; any of them opens what is sealed. */
  readonly keyEncryptionSecrets: readonly string[];
  readonly logLevel: Env['LOG_LEVEL'];
  readonly trustProxy: boolean;
  /**
   * Loopback, private and other special-use addresses that back-channel logout of clients
   * registered by an administrator may reach; every other such address stays refused.
   */
  readonly backchannelLogoutInternalHosts: readonly InternalHost[];
  readonly dataDir: string;
  readonly tan: {
    readonly length: number;
    readonly ttlSeconds: number;
    readonly maxAttempts: number;
    readonly resendCooldownSeconds: number;
    readonly maxSendsPerHour: number;
  };
  readonly devices: { readonly trustDays: number; readonly bindBrowserMajor: boolean };
  readonly session: { readonly staySignedInDays: number; readonly maxHours: number };
  /** How long a process serves client metadata from memory (0: reads Postgres each time). */
  readonly clientCacheSeconds: number;
  readonly lockout: {
    readonly threshold: number;
    readonly baseSeconds: number;
    readonly maxSeconds: number;
    readonly hardLimit: number;
    /** Failures across all IPs (each IP adding at most `threshold`) before the whole account locks. */
    readonly accountThreshold: number;
  };
  /** Requests per client IP per minute, checked before any password or TAN work. */
  readonly rateLimits: {
    readonly passwordPerIpPerMinute: number;
    readonly tanPerIpPerMinute: number;
    readonly agentPerIpPerMinute: number;
    /** Registration and forgot-password posts: each may send a mail. */
    readonly registerPerIpPerMinute: number;
    readonly forgotPasswordPerIpPerMinute: number;
  };
  readonly passwords: {
    readonly minLength: number;
    readonly bcryptCost: number;
    readonly initialPasswordDays: number;
  };
  readonly links: {
    readonly activationDays: number;
    readonly confirmationHours: number;
    readonly resetMinutes: number;
  };
  readonly agentNumberPattern: RegExp;
  readonly agentLoginRevealMismatch: boolean;
  readonly supportContact?: string;
  /** The deployment's terms of use, linked from the registration form (SPEC 4.5). */
  readonly termsUrl?: string;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** How often each process looks for a changed set of signing keys (SPEC 8: in force everywhere within 60 s). */
  readonly signingKeysPollSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Secrets that outside production may be generated once and kept under DATA_DIR. */
export interface DevSecretSource {
  cookieSecrets(): string[];
  keyEncryptionSecret(): string;
}

/**
 * Parses the environment. Outside production, missing secrets come from `devSecrets`
 * (generated into `.data/`); in production they and the external services are required.
 */
export function loadConfig(environment: NodeJS.ProcessEnv, devSecrets?: DevSecretSource): Config {
  const raw = Object.fromEntries(
    Object.entries(environment).filter(([key, value]) => key in schema.shape && value !== ''),
  );
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const env = parsed.data;
  const isProduction = env.NODE_ENV === 'production';
  const issuer = (env.ISSUER ?? `http://localhost:${env.PORT}`).replace(/\/$/, '');
  const problems: string[] = [];
  if (isProduction) {
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'SMTP_URL', 'COOKIE_SECRETS', 'KEY_ENCRYPTION_SECRET'] as const) {
      if (!env[name]) problems.push(`${name}: required when NODE_ENV=production`);
    }
    if (!issuer.startsWith('https://')) problems.push('ISSUER: must be an https URL when NODE_ENV=production');
  }
  if (env.LOCKOUT_BASE_SECONDS > env.LOCKOUT_MAX_SECONDS) {
    problems.push('LOCKOUT_BASE_SECONDS: must not exceed LOCKOUT_MAX_SECONDS');
  }
  // One IP adds at most LOCKOUT_THRESHOLD failures to the account's count, so these two
  // budgets are out of a single attacker's reach only when they are higher.
  // By default six IPs' worth of failures (30 with the default threshold), never above the hard stop.
  const accountThreshold = env.LOCKOUT_ACCOUNT_THRESHOLD ?? Math.min(env.LOCKOUT_HARD_LIMIT, 6 * env.LOCKOUT_THRESHOLD);
  if (accountThreshold <= env.LOCKOUT_THRESHOLD) {
    problems.push('LOCKOUT_ACCOUNT_THRESHOLD: must exceed LOCKOUT_THRESHOLD');
  }
  if (env.LOCKOUT_HARD_LIMIT <= env.LOCKOUT_THRESHOLD) {
    problems.push('LOCKOUT_HARD_LIMIT: must exceed LOCKOUT_THRESHOLD');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    env: env.NODE_ENV,
    isProduction,
    port: env.PORT,
    issuer,
    isHttps: issuer.startsWith('https://'),
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    smtpUrl: env.SMTP_URL,
    mailFrom: env.MAIL_FROM,
    cookieSecrets: env.COOKIE_SECRETS ?? requireDev(devSecrets).cookieSecrets(),
    ...keyEncryptionSecrets(env.KEY_ENCRYPTION_SECRET ?? [requireDev(devSecrets).keyEncryptionSecret()]),
    logLevel: env.LOG_LEVEL,
    trustProxy: env.TRUST_PROXY,
    backchannelLogoutInternalHosts: env.BACKCHANNEL_LOGOUT_INTERNAL_HOSTS ?? [],
    dataDir: env.DATA_DIR,
    tan: {
      length: env.TAN_LENGTH,
      ttlSeconds: env.TAN_TTL_SECONDS,
      maxAttempts: env.TAN_MAX_ATTEMPTS,
      resendCooldownSeconds: env.TAN_RESEND_COOLDOWN_SECONDS,
      maxSendsPerHour: env.TAN_MAX_SENDS_PER_HOUR,
    },
    devices: { trustDays: env.DEVICE_TRUST_DAYS, bindBrowserMajor: env.DEVICE_BIND_BROWSER_MAJOR },
    session: { staySignedInDays: env.STAY_SIGNED_IN_DAYS, maxHours: env.SESSION_MAX_HOURS },
    clientCacheSeconds: env.CLIENT_CACHE_SECONDS,
    lockout: {
      threshold: env.LOCKOUT_THRESHOLD,
      baseSeconds: env.LOCKOUT_BASE_SECONDS,
      maxSeconds: env.LOCKOUT_MAX_SECONDS,
      hardLimit: env.LOCKOUT_HARD_LIMIT,
      accountThreshold,
    },
    rateLimits: {
      passwordPerIpPerMinute: env.RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE,
      tanPerIpPerMinute: env.RATE_LIMIT_TAN_PER_IP_PER_MINUTE,
      agentPerIpPerMinute: env.RATE_LIMIT_AGENT_PER_IP_PER_MINUTE,
      registerPerIpPerMinute: env.RATE_LIMIT_REGISTER_PER_IP_PER_MINUTE,
      forgotPasswordPerIpPerMinute: env.RATE_LIMIT_FORGOT_PASSWORD_PER_IP_PER_MINUTE,
    },
    passwords: {
      minLength: env.PASSWORD_MIN_LENGTH,
      bcryptCost: env.BCRYPT_COST,
      initialPasswordDays: env.INITIAL_PASSWORD_DAYS,
    },
    links: {
      activationDays: env.ACTIVATION_LINK_DAYS,
      confirmationHours: env.CONFIRMATION_LINK_HOURS,
      resetMinutes: env.RESET_LINK_MINUTES,
    },
    agentNumberPattern: new RegExp(env.AGENT_NUMBER_PATTERN),
    agentLoginRevealMismatch: env.AGENT_LOGIN_REVEAL_MISMATCH,
    supportContact: env.SUPPORT_CONTACT,
    termsUrl: env.TERMS_URL,
    metricsToken: env.METRICS_TOKEN,
    signingKeysPollSeconds: env.SIGNING_KEYS_POLL_SECONDS,
  });
}

function requireDev(devSecrets: DevSecretSource | undefined): DevSecretSource {
  if (!devSecrets) throw new ConfigError(['COOKIE_SECRETS / KEY_ENCRYPTION_SECRET: required']);
  return devSecrets;
}

function keyEncryptionSecrets(secrets: readonly string[]): { keyEncryptionSecret: string; keyEncryptionSecrets: readonly string[] } {
  return { keyEncryptionSecret: secrets[0]!, keyEncryptionSecrets: Object.freeze([...secrets]) };
}
