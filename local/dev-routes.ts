// Local-only `/dev/*` routes (absent from the CDK app): a small table of handlers the local gateway consults first.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface DevAnswer {
  readonly status: number;
  /** JSON-serialised unless `contentType` says otherwise (then a string). */
  readonly body: unknown;
  readonly contentType?: string;
}

export interface DevRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  handle(request: {
    readonly body: unknown;
    readonly rawBody: string;
    readonly url: URL;
  }): Promise<DevAnswer>;
}

export function devError(status: number, code: string, message: string, field?: string): DevAnswer {
  return { status, body: { error: { code, message, ...(field ? { field } : {}) } } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Turns a list of dev routes into the gateway's `devRoutes` hook. */
export function devRouter(routes: readonly DevRoute[]) {
  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/dev/')) return false;
    const route = routes.find(
      (candidate) => candidate.method === req.method && candidate.path === url.pathname,
    );
    let answer: DevAnswer;
    if (!route) {
      answer = devError(404, 'NOT_FOUND', `no dev route ${req.method} ${url.pathname}`);
    } else {
      const rawBody = req.method === 'POST' ? await readBody(req) : '';
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : {};
      } catch {
        body = undefined;
      }
      answer = await route
        .handle({ body, rawBody, url })
        .catch((error: unknown) =>
          devError(500, 'INTERNAL', error instanceof Error ? error.message : String(error)),
        );
    }
    const contentType = answer.contentType ?? 'application/json; charset=utf-8';
    res.writeHead(answer.status, { 'content-type': contentType, 'cache-control': 'no-store' });
    res.end(answer.contentType ? String(answer.body) : JSON.stringify(answer.body, null, 2));
    return true;
  };
}
