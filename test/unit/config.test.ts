import { describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const secrets = { cookieSecrets: () => ['x'.repeat(32)], keyEncryptionSecret: () => 'y'.repeat(32) };

describe('configuration', () => {
  test('defaults follow SPEC 2', () => {
    const config = loadConfig({}, secrets);
    expect(config.port).toBe(3000);
    expect(config.issuer).toBe('http://localhost:3000');
    expect(config.tan).toEqual({ length: 6, ttlSeconds: 600, maxAttempts: 5, resendCooldownSeconds: 60, maxSendsPerHour: 5 });
    expect(config.passwords.bcryptCost).toBe(12);
    expect(config.session).toEqual({ staySignedInDays: 30, maxHours: 12 });
    expect(config.agentNumberPattern.test('60/123/4567')).toBe(true);
  });

  test('every wrong variable is named at once', () => {
    try {
      loadConfig({ PORT: 'abc', BCRYPT_COST: '99', TRUST_PROXY: 'maybe', COOKIE_SECRETS: 'short' }, secrets);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      for (const name of ['PORT', 'BCRYPT_COST', 'TRUST_PROXY', 'COOKIE_SECRETS']) expect(text).toContain(name);
    }
  });

  test('production requires the external services, secrets and an https issuer', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, secrets)).toThrow(/DATABASE_URL[\s\S]*REDIS_URL[\s\S]*SMTP_URL[\s\S]*COOKIE_SECRETS[\s\S]*KEY_ENCRYPTION_SECRET[\s\S]*ISSUER/);
    const config = loadConfig({
      NODE_ENV: 'production',
      ISSUER: 'https://login.example.com',
      DATABASE_URL: 'postgres://db/pforte',
      REDIS_URL: 'redis://cache:6379',
      SMTP_URL: 'smtp://mail:25',
      COOKIE_SECRETS: 'a'.repeat(32),
      KEY_ENCRYPTION_SECRET: 'b'.repeat(32),
    });
    expect(config.isHttps).toBe(true);
  });
});

describe('limits and lockout budgets', () => {
  test('defaults: per-IP limits per minute, and an account budget six IPs wide', () => {
    const config = loadConfig({}, secrets);
    expect(config.rateLimits).toEqual({ passwordPerIpPerMinute: 30, tanPerIpPerMinute: 30, agentPerIpPerMinute: 20, registerPerIpPerMinute: 10, forgotPasswordPerIpPerMinute: 10 });
    expect(config.termsUrl).toBeUndefined();
    expect(() => loadConfig({ TERMS_URL: 'javascript:alert(1)' }, secrets)).toThrow(/TERMS_URL/);
    expect(config.lockout).toEqual({ threshold: 5, baseSeconds: 60, maxSeconds: 900, hardLimit: 100, accountThreshold: 30 });
    expect(loadConfig({ LOCKOUT_THRESHOLD: '50' }, secrets).lockout.accountThreshold).toBe(100);
  });

  test('budgets a single IP could reach alone are refused', () => {
    expect(() => loadConfig({ LOCKOUT_THRESHOLD: '10', LOCKOUT_ACCOUNT_THRESHOLD: '10' }, secrets)).toThrow(/LOCKOUT_ACCOUNT_THRESHOLD/);
    expect(() => loadConfig({ LOCKOUT_THRESHOLD: '10', LOCKOUT_HARD_LIMIT: '10' }, secrets)).toThrow(/LOCKOUT_HARD_LIMIT/);
    expect(() => loadConfig({ RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE: '0' }, secrets)).toThrow(/RATE_LIMIT_PASSWORD_PER_IP_PER_MINUTE/);
  });

  test('client metadata is cached for 30 s by default; a minute or more is refused (changes must reach every process within 60 s)', () => {
    expect(loadConfig({}, secrets).clientCacheSeconds).toBe(30);
    expect(loadConfig({ CLIENT_CACHE_SECONDS: '0' }, secrets).clientCacheSeconds).toBe(0);
    expect(() => loadConfig({ CLIENT_CACHE_SECONDS: '60' }, secrets)).toThrow(/CLIENT_CACHE_SECONDS/);
  });
});
