import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import type { InternalHost } from '../config/index.js';
import { createAddressPolicy, type AddressPolicy } from './internal-hosts.js';

export class SpecialUseAddressRefused extends Error {
  readonly code = 'special_use_address_refused';
  constructor(hostname: string, address: string) {
    super(`refused to connect to ${hostname} (${address}): a loopback, private or other special-use address that is not allowed for this client`);
    this.name = 'SpecialUseAddressRefused';
  }
}

export interface OutgoingFetchDeps {
  /** BACKCHANNEL_LOGOUT_INTERNAL_HOSTS. */
  internalHosts: readonly InternalHost[];
  /** Whether the client may have back-channel logout reach the internal hosts. */
  mayReachInternalHosts(clientId: string): Promise<boolean>;
}

type FetchOptions = RequestInit & { dispatcher?: unknown };

/**
 * The provider's `fetch` (oidc-provider calls it for every outgoing request: back-channel
 * logout, and jwks_uri / sector_identifier_uri should they ever be used). It replaces the
 * provider's own special-use address guard, which cannot be told about internal hosts and
 * silently switches itself off where Node's fetch internals are hidden (under Jest): this
 * one checks every address the host name resolves to before connecting, always.
 */
export function createOutgoingFetch({ internalHosts, mayReachInternalHosts }: OutgoingFetchDeps) {
  const publicOnly = createAddressPolicy([]);
  const withInternal = createAddressPolicy(internalHosts);

  return async function outgoingFetch(url: string | URL | Request, options: FetchOptions = {}): Promise<Response> {
    // oidc-provider always passes the URL and the request options separately.
    if (url instanceof Request) throw new TypeError('outgoing fetch takes a URL and options, not a Request');
    const clientId = logoutTokenAudience(options.body);
    const policy = clientId !== undefined && internalHosts.length > 0 && (await mayReachInternalHosts(clientId)) ? withInternal : publicOnly;
    return send(new URL(url), options, policy);
  };
}

/**
 * oidc-provider hands `fetch` only the URL and the request. A back-channel logout request
 * carries the logout token pforte just signed; its `aud` names the client it is sent for.
 * Anything else (no token, unreadable) is treated as no client: public addresses only.
 */
function logoutTokenAudience(body: RequestInit['body']): string | undefined {
  if (!(body instanceof URLSearchParams)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body.get('logout_token')?.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown };
    const aud = Array.isArray(payload.aud) && payload.aud.length === 1 ? payload.aud[0] : payload.aud;
    return typeof aud === 'string' ? aud : undefined;
  } catch {
    return undefined;
  }
}

function guardedLookup(policy: AddressPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const refused = addresses.find((a) => !policy.allows(hostname, a.address));
      if (refused || addresses.length === 0) return callback(new SpecialUseAddressRefused(hostname, refused?.address ?? 'no address'), '', 0);
      if (options.all) return callback(null, addresses);
      return callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function send(target: URL, options: FetchOptions, policy: AddressPolicy): Promise<Response> {
  const hostname = target.hostname.replace(/^\[(.*)\]$/, '$1');
  // Node connects to an IP literal without asking `lookup`, so literals are checked here.
  if (isIP(hostname) !== 0 && !policy.allows(hostname, hostname)) {
    return Promise.reject(new SpecialUseAddressRefused(hostname, hostname));
  }
  if (options.body != null && typeof options.body !== 'string' && !(options.body instanceof URLSearchParams)) {
    return Promise.reject(new TypeError('outgoing fetch sends only string or form bodies'));
  }
  const body = options.body == null ? undefined : Buffer.from(options.body.toString());
  const headers: Record<string, string> = Object.fromEntries(new Headers(options.headers));
  if (body) headers['content-length'] = String(body.length);
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise((resolve, reject) => {
    const req = request(target, {
      method: options.method ?? 'GET',
      headers,
      signal: options.signal ?? undefined,
      lookup: guardedLookup(policy),
      agent: false,
    }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 502;
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const item of [value ?? []].flat()) responseHeaders.append(name, item);
      }
      const hasBody = !NULL_BODY_STATUSES.has(status) && req.method !== 'HEAD';
      if (!hasBody) res.resume();
      try {
        resolve(new Response(hasBody ? (Readable.toWeb(res) as ReadableStream) : null, { status, statusText: res.statusMessage, headers: responseHeaders }));
      } catch (error) {
        res.destroy();
        reject(error as Error);
      }
    });
    req.on('error', reject);
    req.end(body);
  });
}
