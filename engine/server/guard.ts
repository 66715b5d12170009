// Keeping web pages out of the API. The API has no browser client, and a browser sends along
// whatever a page asks it to: a page whose name the attacker rebinds to 127.0.0.1 reaches a
// loopback server with its own name as Host, and any page can POST to any address (a form, or a
// body-less fetch that needs no CORS preflight). A token stops both, as a page cannot know it;
// without one, only loopback host names are answered. Requests that change something are refused
// when the browser says they come from another origin, token or not.
export interface HostPolicy {
  /** The server requires a bearer token. */
  token: boolean;
  /** Host names answered besides the loopback ones (lower case); when set, the only ones, token or not. */
  allowedHosts: readonly string[];
}

/** The host name of a Host header (lower case, IPv6 still in brackets), or undefined when it is not `name[:port]`. */
export function hostName(header: string): string | undefined {
  const m = /^(\[[0-9a-f:.]+\]|[a-z0-9_][a-z0-9_.-]*)(?::\d{1,5})?$/i.exec(header);
  return m?.[1].toLowerCase();
}

/** The names a page cannot take: DNS does not decide where they go. */
function loopbackName(name: string): boolean {
  return name === 'localhost' || name === '[::1]' || /^127(\.\d{1,3}){3}$/.test(name);
}

export function hostAllowed(header: string | undefined, policy: HostPolicy): boolean {
  if (policy.token && policy.allowedHosts.length === 0) return true;
  const name = header === undefined ? undefined : hostName(header);
  if (name === undefined) return false;
  return loopbackName(name) || policy.allowedHosts.includes(name);
}

export function hostRefusal(header: string | undefined, policy: HostPolicy): string {
  const what = header === undefined ? 'A request without a Host header' : `Host '${header}'`;
  return policy.allowedHosts.length
    ? `${what} is not one this server answers: it takes 127.0.0.1, localhost, [::1] and the names of --allowed-hosts (${policy.allowedHosts.join(', ')}).`
    : `${what} is not a loopback name, and this server has no token: it answers only 127.0.0.1, localhost and [::1], so that a web page cannot reach it under a name of its own. ` +
        'Use a loopback address, start the server with a token (--token or STEPWISE_TOKEN), or list the name in --allowed-hosts.';
}

export interface RequestHeaders {
  host?: string;
  origin?: string;
  'sec-fetch-site'?: string | string[];
}

/**
 * Whether a browser sent the request for a page of another origin: its Origin is not this server
 * (a sandboxed page sends `null`), or Sec-Fetch-Site says another site made it. Tools that are not
 * browsers (curl, the CLI, the extension) send neither.
 */
export function crossSite(h: RequestHeaders): boolean {
  const site = String(h['sec-fetch-site'] ?? '');
  if (site === 'cross-site' || site === 'same-site') return true;
  if (h.origin === undefined) return false;
  const host = (h.host ?? '').toLowerCase();
  return h.origin !== `http://${host}` && h.origin !== `https://${host}`;
}

export const CROSS_SITE_MESSAGE =
  'This request comes from a web page of another origin (its Origin or Sec-Fetch-Site header says so), and pages may not start, steer or cancel runs. ' +
  'Call the API from a program (curl, the stepwise CLI, the VS Code extension), which sends no Origin header.';
