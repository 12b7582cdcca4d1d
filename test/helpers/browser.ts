import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';

/** A browser-like HTTP client: keeps cookies, follows nothing by itself. */
export class Browser {
  readonly agent: TestAgent;

  constructor(readonly baseUrl: string, private readonly headers: Record<string, string> = {}, agent?: TestAgent) {
    this.agent = agent ?? supertest.agent(baseUrl);
  }

  /** The same browser profile (cookies) presenting other headers, e.g. after an update. */
  withHeaders(headers: Record<string, string>): Browser {
    return new Browser(this.baseUrl, { ...this.headers, ...headers }, this.agent);
  }

  private path(url: string): string {
    if (!url.startsWith('http')) return url;
    const parsed = new URL(url);
    if (parsed.origin !== new URL(this.baseUrl).origin) throw new Error(`refusing to leave pforte: ${url}`);
    return parsed.pathname + parsed.search;
  }

  get(url: string) {
    return this.agent.get(this.path(url)).set(this.headers).redirects(0);
  }

  post(url: string, form: Record<string, string> | string) {
    return this.agent.post(this.path(url)).set(this.headers).type('form').send(form).redirects(0);
  }
}
