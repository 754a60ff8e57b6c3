import type { RequestHandler } from './chain.js';
import { escapeHtml } from './response.js';

/**
 * `http.ssl.redirect`: the plain listener's only handler (neither middlewares nor PHP run), as
 * RoadRunner's redirect middleware. Every request gets a 308 to the same host on the TLS port (left
 * out when it is 443), path and query kept, with RoadRunner's Strict-Transport-Security header; GET
 * gets Go's small HTML body.
 */
export function createRedirect(tlsPort: number): RequestHandler {
  return (req, res) => {
    const target = req.url ?? '/';
    let pathAndQuery = target;
    if (!target.startsWith('/')) {
      // An absolute-form target (a proxy request) or `*`: keep only its path and query.
      try {
        const url = new URL(target);
        pathAndQuery = `${url.pathname}${url.search}`;
      } catch {
        pathAndQuery = '/';
      }
    }
    const host = (req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '').replace(/[\r\n]/g, '');
    const location = `https://${tlsHost(host, tlsPort)}${pathAndQuery.replace(/[\r\n]/g, '')}`;
    const headers = ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains; preload', 'Location', location];
    const method = req.method;
    const body = method === 'GET' ? `<a href="${escapeHtml(location)}">Permanent Redirect</a>.\n\n` : '';
    if (method === 'GET' || method === 'HEAD') headers.push('Content-Type', 'text/html; charset=utf-8');
    headers.push('Content-Length', String(Buffer.byteLength(body)));
    res.writeHead(308, headers);
    res.end(body);
  };
}

/**
 * The request's host name with the TLS port, as RoadRunner's TLSAddr: the port the client used is
 * dropped, 443 is left implicit, IPv6 literals keep their brackets.
 */
export function tlsHost(host: string, port: number): string {
  let name = host;
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    name = end < 0 ? name : name.slice(1, end);
  } else {
    const colon = name.lastIndexOf(':');
    if (colon >= 0 && name.indexOf(':') === colon) name = name.slice(0, colon);
  }
  const bracketed = name.includes(':') ? `[${name}]` : name;
  return port === 443 ? bracketed : `${bracketed}:${port}`;
}
