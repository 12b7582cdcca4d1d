import Provider, { errors } from 'oidc-provider';

/**
 * Holds a client to the token endpoint authentication method it was registered with.
 * oidc-provider deliberately treats client_secret_basic and client_secret_post as one
 * method (a secret is a secret, wherever it travels) and has no setting for it; its one
 * extension point on that path is Client#compareClientSecret, called only for those two
 * methods, at /token, /token/introspection and /token/revocation. A request with an
 * Authorization header used Basic; without one, the secret came in the body.
 */
export function enforceRegisteredClientAuthMethod(provider: Provider): void {
  const prototype = provider.Client.prototype;
  const compareClientSecret = prototype.compareClientSecret;
  prototype.compareClientSecret = function compareWithRegisteredMethod(this: InstanceType<Provider['Client']>, actual: string) {
    const used = Provider.ctx?.headers.authorization === undefined ? 'client_secret_post' : 'client_secret_basic';
    if (used !== this.clientAuthMethod) {
      throw new errors.InvalidClientAuth(`client authenticated with ${used} but is registered for ${this.clientAuthMethod}`);
    }
    return compareClientSecret.call(this, actual);
  };
}
