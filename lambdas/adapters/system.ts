// Clock and id generation from the runtime.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from '../core/ports.ts';

export const systemClock: Clock = { now: () => new Date().toISOString() };

export const cryptoIds: IdGenerator = {
  // Time-ordered prefix keeps request ids roughly sortable in listings and logs.
  requestId: () => `req-${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`,
  secretToken: () => randomBytes(32).toString('base64url'),
};
