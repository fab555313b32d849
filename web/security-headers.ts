// The console's response headers, one definition for the local console server and CloudFront's response headers
// policy (the CDK construct imports this file). No inline script anywhere: the CSP allows scripts from the console's
// own origin only; the browser talks to the API and the OpenID issuer and nothing else; the console never renders in
// a frame.

export interface ConsoleOrigins {
  /** The HTTP API's base URL (connect-src). */
  readonly apiUrl: string;
  /** The OpenID issuer (connect-src: discovery, token, userinfo; frame-src: silent renewal in a hidden iframe). */
  readonly issuer: string;
}

/** The origin of a URL (`https://a.example/x` -> `https://a.example`); an unparsable one is kept as given. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/**
 * Pages the console itself frames: silent-renew.html, which the OpenID provider redirects to inside the hidden
 * renewal iframe. It gets `frame-ancestors 'self'`; everything else `'none'`.
 */
export const SELF_FRAMED_PATHS = ['/silent-renew.html'] as const;

export function contentSecurityPolicy(
  origins: ConsoleOrigins,
  options: { framedBySelf?: boolean } = {},
): string {
  const connect = [...new Set(["'self'", originOf(origins.apiUrl), originOf(origins.issuer)])].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    // nhsuk-frontend's stylesheet only; no inline style attribute is needed by the app (React sets style via CSSOM).
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' https://assets.nhs.uk",
    `connect-src ${connect}`,
    // oidc-client-ts renews the session silently in a hidden iframe at the issuer, which returns to silent-renew.html.
    `frame-src 'self' ${originOf(origins.issuer)}`,
    "manifest-src 'self'",
    "base-uri 'none'",
    `form-action 'self' ${originOf(origins.issuer)}`,
    options.framedBySelf ? "frame-ancestors 'self'" : "frame-ancestors 'none'",
  ].join('; ');
}

/** Every header the console is served with (names in lower case). */
export function securityHeaders(
  origins: ConsoleOrigins,
  options: { framedBySelf?: boolean } = {},
): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(origins, options),
    'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': options.framedBySelf ? 'SAMEORIGIN' : 'DENY',
    'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    'cross-origin-opener-policy': 'same-origin',
  };
}
