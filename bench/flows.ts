import { createHash, randomBytes } from 'node:crypto';

/**
 * A browser (cookie jar) and a relying party going through a provider, as the bench drives
 * pforte and the ceiling alike: both take `/auth`, send the browser to
 * `/interaction/<uid>`, accept a form POST to `<interaction>/<step>`, and end at the
 * relying party's callback with a code that `exchange` redeems.
 */
export interface RelyingParty { base: string; clientId: string; clientSecret: string }
export const REDIRECT_URI = 'https://rp.example/cb';
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

let nextAddress = 0;
/** A fresh client address per browser, so per-IP limits see many people, as they would. */
export const freshAddress = () => { nextAddress += 1; return `10.${(nextAddress >> 16) & 255}.${(nextAddress >> 8) & 255}.${nextAddress & 255}`; };

export class BenchBrowser {
  readonly jar = new Map<string, string>();
  constructor(readonly rp: RelyingParty, readonly headers: Record<string, string> = { 'x-forwarded-for': freshAddress() }) {}

  async go(url: string, form?: Record<string, string>): Promise<{ location: string; status: number }> {
    const res = await fetch(new URL(url, this.rp.base), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { 'user-agent': USER_AGENT, ...this.headers, cookie: [...this.jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of res.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      this.jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    await res.arrayBuffer();
    return { location: res.headers.get('location') ?? '', status: res.status };
  }

  /** One authorization: `/auth` with PKCE; returns where the browser lands and the verifier. */
  async authorize(params: Record<string, string> = {}): Promise<{ location: string; verifier: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = `${this.rp.base}/auth?${new URLSearchParams({ client_id: this.rp.clientId, response_type: 'code', scope: 'openid email', redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', ...params })}`;
    const { location, status } = await this.go(url);
    if (status !== 303 && status !== 302) throw new Error(`/auth answered ${status}`);
    return { location, verifier };
  }

  /** Posts a step's form; expects a redirect (the next stop). */
  async submit(interaction: string, step: string, form: Record<string, string>): Promise<string> {
    const answer = await this.go(`${interaction}/${step}`, form);
    if (answer.status !== 303) throw new Error(`${step} answered ${answer.status}`);
    return answer.location;
  }

  /** Follows redirects to the relying party's callback; returns the code. */
  async follow(location: string): Promise<string> {
    let next = location;
    for (let hops = 0; !next.startsWith(REDIRECT_URI); hops += 1) {
      if (hops > 8 || !next) throw new Error(`no way to the callback from ${next}`);
      next = (await this.go(next)).location;
    }
    const code = new URL(next).searchParams.get('code');
    if (!code) throw new Error(`callback without a code: ${next}`);
    return code;
  }

  /** The whole sign-in with a form at the first interaction page; returns the tokens. */
  async signIn(step: string, form: Record<string, string>, params?: Record<string, string>): Promise<Tokens> {
    const { location, verifier } = await this.authorize(params);
    return exchange(this.rp, await this.follow(await this.submit(location, step, form)), verifier);
  }

  /** A signed-in browser's silent authorization (SSO) and code exchange. */
  async silently(): Promise<Tokens> {
    const { location, verifier } = await this.authorize();
    return exchange(this.rp, await this.follow(location), verifier);
  }
}

export interface Tokens { access_token: string; refresh_token?: string; id_token?: string }

async function token(rp: RelyingParty, form: Record<string, string>): Promise<Tokens> {
  const res = await fetch(`${rp.base}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${rp.clientId}:${rp.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  if (res.status !== 200) throw new Error(`token (${form.grant_type}) answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Tokens;
}

export const exchange = (rp: RelyingParty, code: string, verifier: string) =>
  token(rp, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
export const refresh = (rp: RelyingParty, refreshToken: string) => token(rp, { grant_type: 'refresh_token', refresh_token: refreshToken });
export const clientCredentials = (rp: RelyingParty) => token(rp, { grant_type: 'client_credentials' });

export async function get(url: string): Promise<void> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
  await res.arrayBuffer();
}
