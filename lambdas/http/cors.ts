// The HTTP API's CORS policy, one definition for the CDK construct (HttpApi corsPreflight) and the local gateway.
// The console is served from another origin than the API, so the browser asks first; API Gateway answers the
// preflight itself (no handler runs) and adds Access-Control-Allow-Origin only for an allowed origin.
export const API_CORS = {
  allowHeaders: ['authorization', 'content-type'],
  allowMethods: ['GET', 'POST', 'PATCH'],
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 600,
} as const;
