import { BlockList, isIP } from 'node:net';
import type { InternalHost } from '../config/index.js';

/**
 * Which addresses an outgoing request of the provider may connect to. Loopback, private,
 * link-local and the other special-use ranges (IANA special-purpose registries, as
 * oidc-provider's own guard) are refused unless the operator named the host or network
 * in BACKCHANNEL_LOGOUT_INTERNAL_HOSTS and the client may use that list.
 */
const SPECIAL_USE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.31.196.0', 24], ['192.52.193.0', 24],
  ['192.88.99.0', 24], ['192.168.0.0', 16], ['192.175.48.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) SPECIAL_USE.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64],
  ['2001::', 23], ['2001:db8::', 32], ['2002::', 16], ['2620:4f:8000::', 48], ['3fff::', 20], ['5f00::', 16],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) SPECIAL_USE.addSubnet(network, prefix, 'ipv6');

type Family = 'ipv4' | 'ipv6';

/**
 * The address as it is compared: an IPv4-mapped IPv6 address (::ffff:10.0.0.1, also written
 * ::ffff:a00:1) counts as its IPv4 address. (A BlockList also matches IPv4 addresses against
 * IPv6 rules through that mapping, which is why ::ffff:0:0/96 is not listed above.)
 */
function normalize(address: string): { address: string; family: Family } | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
  if (dotted) return isIP(dotted[1]!) === 4 ? { address: dotted[1]!, family: 'ipv4' } : undefined;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(bare);
  if (hex) {
    const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
  }
  const version = isIP(bare);
  return version === 0 ? undefined : { address: bare, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export function isSpecialUseAddress(address: string): boolean {
  const normal = normalize(address);
  // Anything that is not a plain IP address is treated as special: fail closed.
  return !normal || SPECIAL_USE.check(normal.address, normal.family);
}

export interface AddressPolicy {
  /** Whether a connection to `address`, reached through host name `hostname`, may be made. */
  allows(hostname: string, address: string): boolean;
}

/** Public addresses always; special-use ones only when `allowed` names the host or its network. */
export function createAddressPolicy(allowed: readonly InternalHost[]): AddressPolicy {
  const names = new Set(allowed.flatMap((host) => (host.kind === 'name' ? [host.name] : [])));
  const networks = new BlockList();
  for (const host of allowed) if (host.kind === 'network') networks.addSubnet(host.address, host.prefix, host.family);
  return {
    allows(hostname, address) {
      if (!isSpecialUseAddress(address)) return true;
      if (names.has(hostname.toLowerCase().replace(/\.$/, ''))) return true;
      const normal = normalize(address);
      return normal !== undefined && networks.check(normal.address, normal.family);
    },
  };
}
