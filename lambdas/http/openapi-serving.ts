// What GET /openapi.json needs to serve the document `npm run api:types` built ahead (openapi-document.generated.ts):
// the decoder, and the `servers` naming the URL it was called on. Apart from ./openapi.ts, the generator, so the
// route carries neither the zod schemas nor their JSON Schema conversion.
import { brotliDecompressSync } from 'node:zlib';

/** The JSON text a generated OPENAPI_DOCUMENT_BROTLI holds (Brotli, base64: generateOpenApiDocument). */
export function decodeOpenApiDocument(packed: string): string {
  return brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
}

/**
 * The document's JSON text, built with the default `servers` (serversOf(undefined)), as a function of the URL it
 * is served at: the one `servers` member is swapped in the text, so serving it parses and stringifies nothing.
 */
export function servedAt(documentJson: string): (serverUrl: string) => string {
  const placeholder = `"servers":${JSON.stringify(serversOf(undefined))}`;
  const at = documentJson.indexOf(placeholder);
  if (at < 0 || documentJson.indexOf(placeholder, at + 1) >= 0) {
    throw new Error(
      'the OpenAPI document must hold the default servers exactly once: run `npm run api:types`',
    );
  }
  const before = documentJson.slice(0, at);
  const after = documentJson.slice(at + placeholder.length);
  return (serverUrl) => `${before}"servers":${JSON.stringify(serversOf(serverUrl))}${after}`;
}

/**
 * Where the API is: `serverUrl` when it is known (GET /openapi.json answers with the URL it was called on), else a
 * server variable for the HTTP API's endpoint (the stack output ApiUrl) or the local gateway.
 */
export function serversOf(serverUrl: string | undefined) {
  if (serverUrl) return [{ url: serverUrl, description: 'This deployment' }];
  return [
    {
      url: '{scheme}://{host}',
      description:
        'The HTTP API: its execute-api endpoint or custom domain (stack output ApiUrl), or `npm start`',
      variables: {
        scheme: { enum: ['https', 'http'], default: 'https' },
        host: {
          default: 'localhost:3000',
          description: 'e.g. abc123.execute-api.eu-west-2.amazonaws.com; locally 127.0.0.1:<gateway port>',
        },
      },
    },
  ];
}
