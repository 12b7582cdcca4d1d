import * as oidc from 'openid-client';
import { expect } from '@jest/globals';
import { Browser } from './browser.js';
import type { RelyingParty } from './relying-party.js';
import type { TestApp } from './test-app.js';

/**
 * One person signing in to one relying party, step by step; each step asserts what a
 * browser would see (status, redirect) so a broken journey fails where it breaks.
 */
export class LoginFlow {
  uid?: string;
  state = oidc.randomState();
  nonce = oidc.randomNonce();
  verifier = oidc.randomPKCECodeVerifier();
  callbackUrl?: string;

  constructor(readonly app: TestApp, readonly rp: RelyingParty, readonly browser = new Browser(app.url)) {}

  async authorizationUrl(params: Record<string, string> = {}): Promise<URL> {
    return oidc.buildAuthorizationUrl(this.rp.config, {
      redirect_uri: this.rp.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(this.verifier),
      code_challenge_method: 'S256',
      state: this.state,
      nonce: this.nonce,
      ...params,
    });
  }

  /** GET /auth; returns where the provider sends the browser (an interaction or the RP). */
  async startAuthorization(params: Record<string, string> = {}): Promise<string> {
    const res = await this.browser.get((await this.authorizationUrl(params)).href);
    expect(res.status).toBe(303);
    return this.follow(res.headers.location!);
  }

  /** Records where a redirect leads: an interaction page of pforte or the RP's callback. */
  private follow(location: string): string {
    const absolute = new URL(location, this.app.url).href;
    const interaction = /\/interaction\/([^/?#]+)$/.exec(new URL(absolute).pathname);
    if (interaction) this.uid = interaction[1];
    if (absolute.startsWith(this.rp.redirectUri)) this.callbackUrl = absolute;
    return absolute;
  }

  async showPage(): Promise<string> {
    const res = await this.browser.get(`/interaction/${this.uid}`);
    expect(res.status).toBe(200);
    return res.text;
  }

  /** Posts a form of the current interaction; on success follows through the provider. */
  async submit(step: string, form: Record<string, string>, expectedStatus = 303): Promise<{ status: number; text: string; location?: string }> {
    const res = await this.browser.post(`/interaction/${this.uid}/${step}`, form);
    expect(res.status).toBe(expectedStatus);
    if (res.status !== 303) return { status: res.status, text: res.text };
    return { status: res.status, text: res.text, location: await this.resume(res.headers.location!) };
  }

  /** Follows the provider's resume redirect to the next stop. */
  async resume(location: string): Promise<string> {
    const target = this.follow(location);
    if (!new URL(target).pathname.startsWith('/auth/')) return target;
    const res = await this.browser.get(target);
    expect(res.status).toBe(303);
    return this.follow(res.headers.location!);
  }

  submitPassword(email: string, password: string, extra: Record<string, string> = {}) {
    return this.submit('password', { email, password, ...extra });
  }

  /** Exchanges the code at the callback with openid-client (PKCE, state, nonce, signature). */
  async finishAtCallback(): Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers> {
    expect(this.callbackUrl).toBeDefined();
    return oidc.authorizationCodeGrant(this.rp.config, new URL(this.callbackUrl!), {
      pkceCodeVerifier: this.verifier,
      expectedState: this.state,
      expectedNonce: this.nonce,
    });
  }

  callbackParams(): URLSearchParams {
    return new URL(this.callbackUrl!).searchParams;
  }
}
