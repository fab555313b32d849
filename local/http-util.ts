// Small HTTP plumbing shared by the local emulators (gateway, Step Functions, mailbox): bodies, JSON answers, listen/close.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export class PayloadTooLargeError extends Error {
  constructor(limitBytes: number) {
    super(`Request body exceeds ${limitBytes} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** Reads the whole body; refuses (without buffering the rest) once it passes `limitBytes`. */
export async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

export function sendJson(
  res: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(statusCode, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(payload);
}

/** Listens on 127.0.0.1 (port 0 = a free one) and returns the base URL. */
export async function listen(server: Server, port = 0): Promise<{ url: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${address.port}`, port: address.port };
}

/** Closes the server, dropping keep-alive sockets that SDK clients hold open (they would delay close forever). */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
  server.closeIdleConnections();
  server.closeAllConnections();
  await closed;
}

/** Resolves when `predicate` holds, checking at every `notify()`; rejects after `timeoutMs` with `describe()`. */
export function createWaiters(): {
  notify(): void;
  until<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T>;
} {
  const listeners = new Set<() => void>();
  return {
    notify() {
      for (const listener of [...listeners]) listener();
    },
    until<T>(probe: () => T | undefined, timeoutMs: number, describe: () => string): Promise<T> {
      const found = probe();
      if (found !== undefined) return Promise.resolve(found);
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const value = probe();
          if (value === undefined) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve(value);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`Timed out after ${timeoutMs} ms: ${describe()}`));
        }, timeoutMs);
        listeners.add(check);
      });
    },
  };
}
