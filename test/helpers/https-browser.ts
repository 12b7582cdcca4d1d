/**
 * A browser behind a TLS-terminating proxy: it talks plain HTTP to the app's port, marks
 * every request as https (`X-Forwarded-Proto`), follows no redirects and keeps cookies by
 * hand, so a test sees every Set-Cookie with its attributes (`setCookies`).
 */
export function httpsBrowserBehindProxy(app: { url: string; port: number }, headers: Record<string, string> = {}) {
  const jar = new Map<string, string>();
  const setCookies: string[] = [];
  const go = async (url: string, form?: Record<string, string>) => {
    const target = new URL(url, app.url);
    const res = await fetch(`http://127.0.0.1:${app.port}${target.pathname}${target.search}`, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...headers,
        'x-forwarded-proto': 'https',
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const cookie of res.headers.getSetCookie()) {
      setCookies.push(cookie);
      const [pair] = cookie.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return res;
  };
  return { go, jar, setCookies };
}
