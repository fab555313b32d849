// CSV and public HTML answers: the content types and headers the exports and the transparency page need.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CSV_CONTENT_TYPE } from '../core/csv.ts';
import { SECURITY_HEADERS } from './errors.ts';

/** U+FEFF: Excel on Windows decodes a CSV as UTF-8 only when it starts with this; other readers skip it. */
export const UTF8_BOM = '\uFEFF';

/** A CSV download; `bom` prefixes the byte order mark (`?bom=true` on the exports). */
export function csvResponse(
  filename: string,
  csv: string,
  options: { readonly bom?: boolean } = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': CSV_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`,
      ...SECURITY_HEADERS,
    },
    body: options.bom ? `${UTF8_BOM}${csv}` : csv,
  };
}

const PUBLIC_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/** A public page: cacheable for a few minutes, no scripts, not embeddable. */
export function publicHtmlResponse(html: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: 200,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': PUBLIC_CSP,
      'x-frame-options': 'DENY',
      ...SECURITY_HEADERS,
      'cache-control': 'public, max-age=300',
    },
    body: html,
  };
}
