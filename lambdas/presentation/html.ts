// Escaping, the shared page frame and the shared answers of the link pages (approval and review links).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { StoredRequest } from '../core/ports.ts';
import { answerFor, SECURITY_HEADERS } from '../http/errors.ts';

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** (label, value) rows as a definition list, every value escaped. */
export function factList(rows: ReadonlyArray<readonly [string, string]>): string {
  return `<dl>${rows.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('')}</dl>`;
}

const FOOTER =
  'Keyholder grants access to identifiable data one request at a time; every decision is recorded in the audit trail.';

/**
 * The frame of every link page: a header with the site's name, one main landmark with the h1 and the body, and a
 * footer, so that nothing on the page sits outside a landmark.
 */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Keyholder</title>
<style>
body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;line-height:1.5}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}
button{font-size:1rem;padding:.5rem 1.25rem;margin:.25rem .5rem .25rem 0;border-radius:.375rem;border:1px solid #555;cursor:pointer}
.approve{background:#0a7d2c;color:#fff;border-color:#0a7d2c}.deny{background:#b3261e;color:#fff;border-color:#b3261e}
textarea{width:100%;min-height:4rem;font:inherit}.notice{padding:.75rem 1rem;border-radius:.375rem;background:#f2f2f7}
header,footer{color:#555;font-size:.9rem}header p{margin:0;font-weight:600}footer{margin-top:2rem;border-top:1px solid #ddd}
</style>
</head>
<body>
<header><p>Keyholder</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
<footer><p>${escapeHtml(FOOTER)}</p></footer>
</body>
</html>`;
}

const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** An HTML answer with the headers every Keyholder page carries (strict CSP, no framing, no caching). */
export function htmlResponse(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CSP,
      'x-frame-options': 'DENY',
      ...SECURITY_HEADERS,
    },
    body,
  };
}

/** The confirmation after a decision taken through a link. */
export function recordedPage(
  title: string,
  outcome: string,
  request: StoredRequest,
): APIGatewayProxyStructuredResultV2 {
  return htmlResponse(
    200,
    page(
      title,
      `<p class="notice" role="status">${escapeHtml(outcome)}</p><p>Request ${escapeHtml(request.id)} is now ${escapeHtml(request.status)}.</p>`,
    ),
  );
}

/** A link that cannot be used: unknown (404), used or expired (410), a refused person (403), or our fault. */
export function linkErrorPage(
  error: unknown,
  link: string,
  refusal: string,
): APIGatewayProxyStructuredResultV2 {
  const answer = answerFor(error);
  const title =
    answer.status === 404
      ? `This ${link} link is not valid`
      : answer.status === 410
        ? `This ${link} link no longer works`
        : answer.status === 403
          ? refusal
          : answer.status < 500
            ? 'That did not work'
            : 'Something went wrong';
  return htmlResponse(
    answer.status,
    page(
      title,
      `<p class="notice" role="alert">${escapeHtml(answer.message)}</p><p>Code: ${escapeHtml(answer.code)}</p>`,
    ),
  );
}
