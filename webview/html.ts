// The graph editor's HTML, with a strict Content-Security-Policy: scripts only with the nonce,
// styles and fonts from the extension's resource origin, no 'unsafe-eval', no remote origins; the
// layout worker is a blob: URL made from source the bundle holds (`worker-src blob:`). Pure: the
// extension passes `webview.cspSource`, a fresh nonce and the `asWebviewUri` of the two bundles.

export interface WebviewHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** A fresh random nonce (e.g. 32 base64 characters) for each HTML. */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview/main.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(dist/webview/main.css)`, as a string. */
  styleUri: string;
  /** The document title (the file name). */
  title?: string;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The Content-Security-Policy of the graph editor's page. */
export function webviewCsp(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // React Flow and the toolkit set element styles from script (CSSOM, allowed); the toolkit's
    // components adopt constructed style sheets, and the one <style> it probes with gets the nonce
    // from <meta property="csp-nonce">.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    'worker-src blob:',
    "connect-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** A random nonce from a source of random bytes (crypto.getRandomValues or randomBytes). */
export function makeNonce(random: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(24);
  random(bytes);
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/[+/=]/g, (c) => (c === '+' ? '-' : c === '/' ? '_' : ''));
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  const nonce = escapeHtml(o.nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(webviewCsp(o.cspSource, o.nonce))}">
<meta property="csp-nonce" content="${nonce}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}" nonce="${nonce}">
<title>${escapeHtml(o.title ?? 'Task graph')}</title>
</head>
<body>
<div id="root"></div>
<script nonce="${nonce}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>
`;
}
