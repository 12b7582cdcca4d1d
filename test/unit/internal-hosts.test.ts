import { describe, expect, test } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { clientUriProblem } from '../../src/domain/client-uris.js';
import { createAddressPolicy, isSpecialUseAddress } from '../../src/oidc/internal-hosts.js';

const secrets = { cookieSecrets: () => ['x'.repeat(32)], keyEncryptionSecret: () => 'y'.repeat(32) };
const internalHosts = (value: string) => loadConfig({ BACKCHANNEL_LOGOUT_INTERNAL_HOSTS: value }, secrets).backchannelLogoutInternalHosts;

describe('special-use addresses', () => {
  test.each(['127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]', 'not-an-ip'])('%s is special-use', (address) => {
    expect(isSpecialUseAddress(address)).toBe(true);
  });
  test.each(['93.184.215.14', '172.32.0.1', '8.8.8.8', '2a00:1450:4001:80b::200e', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(isSpecialUseAddress(address)).toBe(false);
  });
});

describe('BACKCHANNEL_LOGOUT_INTERNAL_HOSTS', () => {
  test('names hosts, addresses and networks; only they open special-use addresses', () => {
    const policy = createAddressPolicy(internalHosts(' Portal.Intern.Example. , 10.20.0.0/16, 192.168.5.7, fd12:3456::/32 '));
    expect(policy.allows('portal.intern.example', '10.99.0.1')).toBe(true);
    expect(policy.allows('other.example', '10.20.3.4')).toBe(true);
    expect(policy.allows('other.example', '10.21.0.1')).toBe(false);
    expect(policy.allows('x', '192.168.5.7')).toBe(true);
    expect(policy.allows('x', '::ffff:192.168.5.7')).toBe(true);
    expect(policy.allows('x', '192.168.5.8')).toBe(false);
    expect(policy.allows('x', 'fd12:3456::1')).toBe(true);
    expect(policy.allows('x', '127.0.0.1')).toBe(false);
    expect(policy.allows('anything.example', '8.8.8.8')).toBe(true);
    expect(createAddressPolicy([]).allows('localhost', '127.0.0.1')).toBe(false);
  });

  test('is empty by default and refuses what is not a host, address or network', () => {
    expect(loadConfig({}, secrets).backchannelLogoutInternalHosts).toEqual([]);
    for (const bad of ['*', '0.0.0.0/0', '10.0.0.0/33', 'http://portal.example', 'portal.example:8080', 'bad_host.example', '10.0.0.0/8/8']) {
      expect(() => internalHosts(bad)).toThrow(ConfigError);
      expect(() => internalHosts(bad)).toThrow(/BACKCHANNEL_LOGOUT_INTERNAL_HOSTS/);
    }
  });
});

describe('client URIs', () => {
  test.each(['https://rp.example/cb', 'https://rp.example:8443/cb?x=1', 'http://localhost:3000/cb', 'http://127.0.0.1/cb', 'http://127.200.0.1/cb', 'http://[::1]:9000/cb'])('%s is accepted', (uri) => {
    expect(clientUriProblem(uri)).toBeUndefined();
  });
  test.each([
    ['http://rp.example/cb', /https/], ['http://localhost.rp.example/cb', /https/], ['http://10.0.0.1/cb', /https/],
    ['https://*.rp.example/cb', /wildcard/], ['https://%2A.rp.example/cb', /wildcard/], ['https://rp.example/cb?x=*', /wildcard/],
    ['https://rp.example/cb#x', /fragment/], ['https://rp.example/cb#', /fragment/],
    ['https://user@rp.example/cb', /user information/], ['https://user:pw@rp.example/cb', /user information/], ['https://@rp.example/cb', /user information/],
    ['javascript:alert(1)', /absolute https/], ['rp.example/cb', /absolute https/], ['ftp://rp.example/cb', /absolute https/],
  ])('%s is refused', (uri, message) => {
    expect(clientUriProblem(uri)).toMatch(message);
  });
});
