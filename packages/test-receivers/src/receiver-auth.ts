// Credentials and tenants, as a backend behind an auth gateway sees them.
//
// - `basic` / `bearer`: the request's `authorization` header must match, or the receiver answers what an
//   nginx auth gateway answers (the Loki and Pyroscope Helm charts put nginx in front of the servers): 401,
//   `WWW-Authenticate`, and nginx's own HTML error page.
// - `tenant`: the server runs multi-tenant (Loki `auth_enabled: true`, Pyroscope `multitenancy_enabled:
//   true`). A request without `X-Scope-OrgID` gets the server's own 401 `no org id` (dskit `user.ErrNoOrgID`,
//   user/id.go; the body format is the server's, see each receiver). With a string, the org id must also be
//   that one: the gateway binds the credentials to that tenant, and another id is refused like bad
//   credentials. Without `tenant`, every request belongs to the server's single-tenant default
//   (`anonymous` for Pyroscope, `fake` for Loki).
import type { IncomingHttpHeaders } from 'node:http';

export interface ReceiverAuth {
  basic?: { user: string; password: string };
  bearer?: string;
  /** `true`: any `X-Scope-OrgID` is accepted, none is refused; a string: exactly that one. */
  tenant?: string | true;
}

export interface AuthDenial {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** One line for `errors` and `rejections`. */
  message: string;
}

/** nginx's 401 page (ngx_http_special_response.c), with `\r\n` line ends as nginx sends it. */
export const NGINX_401_BODY =
  '<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n' +
  '<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

function gatewayDenial(reason: string, challenge: string): AuthDenial {
  return {
    status: 401,
    body: NGINX_401_BODY,
    headers: { 'content-type': 'text/html', 'www-authenticate': challenge },
    message: `401 from the auth gateway: ${reason}`,
  };
}

/** The gateway's verdict on the credentials: undefined when they pass (or none are required). */
export function checkCredentials(
  auth: ReceiverAuth | undefined,
  headers: IncomingHttpHeaders,
): AuthDenial | undefined {
  if (auth === undefined) return undefined;
  const given = headers.authorization ?? '';
  if (auth.basic !== undefined) {
    const expected = `Basic ${Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64')}`;
    if (given !== expected && (auth.bearer === undefined || given !== `Bearer ${auth.bearer}`)) {
      return gatewayDenial(
        given === '' ? 'no authorization header' : 'wrong credentials',
        'Basic realm="gateway"',
      );
    }
  } else if (auth.bearer !== undefined && given !== `Bearer ${auth.bearer}`) {
    return gatewayDenial(given === '' ? 'no authorization header' : 'wrong bearer token', 'Bearer');
  }
  return undefined;
}

/** The `X-Scope-OrgID` header (undefined when absent or empty, as dskit treats it). */
export function orgIdOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-scope-orgid'];
  const id = Array.isArray(value) ? value[0] : value;
  return id === undefined || id === '' ? undefined : id;
}

/** With a fixed tenant, an org id other than it is refused by the gateway. */
export function checkTenantBinding(auth: ReceiverAuth | undefined, orgId: string): AuthDenial | undefined {
  if (typeof auth?.tenant !== 'string' || auth.tenant === orgId) return undefined;
  return gatewayDenial(
    `X-Scope-OrgID "${orgId}" is not the tenant of these credentials`,
    'Basic realm="gateway"',
  );
}
