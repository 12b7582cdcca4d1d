import { describe, expect, test } from '@jest/globals';
import Koa from 'koa';
import supertest from 'supertest';
import { providerPages, readProviderAutoSubmit } from '../../src/http/provider-pages.js';
import { CONTENT_SECURITY_POLICY, securityHeaders } from '../../src/http/security-headers.js';

// The markup of oidc-provider 9's auto-submit page (lib/response_modes/form_post.js).
const providerPage = (inputs: string, extra = '') => `<!DOCTYPE html>
<html>
<head>
  <meta http-equiv="X-UA-Compatible" content="IE=edge">
  <title>Submitting Callback</title>
  <script>
    document.addEventListener('DOMContentLoaded', function () { document.forms[0].submit() });
  </script>
</head>
<body>
  <form method="post" action="https://rp.example.test/cb?a=1&amp;b=2">
    ${inputs}${extra}
    <noscript>
      Your browser does not support JavaScript or you've disabled it.<br/>
      <button autofocus type="submit">Continue</button>
    </noscript>
  </form>
</body>
</html>`;

describe('reading back the provider\'s auto-submit page', () => {
  test('action and inputs in order, entities undone', () => {
    const page = providerPage('<input type="hidden" name="code" value="c1"/>\n<input type="hidden" name="state" value="a&quot;b&lt;c&gt;&amp;d&#39;e&amp;lt;"/>');
    expect(readProviderAutoSubmit(page)).toEqual({
      action: 'https://rp.example.test/cb?a=1&b=2',
      inputs: [['code', 'c1'], ['state', `a"b<c>&d'e&lt;`]],
    });
  });

  test('unknown markup or another page is left alone', () => {
    expect(readProviderAutoSubmit(providerPage('<input type="hidden" name="code" value="c1"/>', '<input type="text" name="x" value="y"/>'))).toBeUndefined();
    expect(readProviderAutoSubmit('<!DOCTYPE html>\n<html lang="de"><head><title>Submitting Callback</title></head><form method="post" action="/x"><noscript>')).toBeUndefined();
    expect(readProviderAutoSubmit(Buffer.from(providerPage('')))).toBeUndefined();
    expect(readProviderAutoSubmit(undefined)).toBeUndefined();
  });
});

describe('Content-Security-Policy', () => {
  function appAnswering(respond: (ctx: Koa.Context) => void) {
    const app = new Koa();
    app.use(securityHeaders({ isHttps: false }));
    app.use(async (ctx) => respond(ctx));
    return supertest(app.callback());
  }

  test('is on every HTML page, set before the page is built, and on nothing else', async () => {
    let seenWhileBuilding: unknown;
    const html = await appAnswering((ctx) => { seenWhileBuilding = ctx.response.get('Content-Security-Policy'); ctx.type = 'html'; ctx.body = '<p>x</p>'; }).get('/');
    expect(seenWhileBuilding).toBe(CONTENT_SECURITY_POLICY);
    expect(html.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    const json = await appAnswering((ctx) => { ctx.body = { ok: true }; }).get('/');
    expect(json.headers['content-security-policy']).toBeUndefined();
  });

  test('keeps the script hashes the provider adds, and nothing else it changes', async () => {
    const res = await appAnswering((ctx) => {
      ctx.set('Content-Security-Policy', `${ctx.response.get('Content-Security-Policy')}; script-src 'self' 'unsafe-inline' 'sha256-AbC+/9=' ; frame-ancestors *`.replace("frame-ancestors 'none'", ''));
      ctx.type = 'html';
      ctx.body = '<p>x</p>';
    }).get('/');
    const csp = res.headers['content-security-policy']!;
    expect(csp).toContain("script-src 'self' 'sha256-AbC+/9='");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('frame-ancestors *');
  });
});

describe('the provider\'s error page blames the relying party only for its requests', () => {
  async function errorPage(error: string, status: number) {
    const app = new Koa();
    app.use(async (ctx) => {
      ctx.status = status;
      await providerPages.error(ctx as never, { error }, new Error(error));
    });
    return supertest(app.callback()).get('/').set('Accept-Language', 'en');
  }

  test('an outage is "temporarily unavailable" (503), a fault of pforte an unexpected error (500)', async () => {
    const outage = await errorPage('temporarily_unavailable', 503);
    expect(outage.status).toBe(503);
    expect(outage.text).toContain('The service is temporarily unavailable');
    const fault = await errorPage('server_error', 500);
    expect(fault.status).toBe(500);
    expect(fault.text).toContain('An unexpected error occurred');
    for (const page of [outage, fault]) expect(page.text).not.toContain('application that sent you here');
    const request = await errorPage('invalid_request', 400);
    expect(request.status).toBe(400);
    expect(request.text).toContain('The application that sent you here made an invalid request (invalid_request)');
  });
});
