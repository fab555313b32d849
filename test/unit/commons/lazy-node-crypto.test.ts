// The lazy node:crypto bundles import (lambdas/commons/shims/lazy-node-crypto.ts) answers as node:crypto does.
import * as crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import lazyDefault, * as lazy from '../../../lambdas/commons/shims/lazy-node-crypto.ts';

describe('node:crypto loaded on first use', () => {
  it('hashes, signs and compares as node:crypto does', () => {
    expect(lazy.createHash('sha256').update('keyholder').digest('hex')).toBe(
      crypto.createHash('sha256').update('keyholder').digest('hex'),
    );
    expect(lazy.hash('sha256', 'keyholder')).toBe(crypto.hash('sha256', 'keyholder'));
    expect(lazy.createHmac('sha256', 'secret').update('body').digest('base64')).toBe(
      crypto.createHmac('sha256', 'secret').update('body').digest('base64'),
    );
    expect(lazy.timingSafeEqual(Buffer.from('ab'), Buffer.from('ab'))).toBe(true);
    expect(lazy.timingSafeEqual(Buffer.from('ab'), Buffer.from('ac'))).toBe(false);
  });

  it('draws random values of the asked shape', () => {
    expect(lazy.randomBytes(16)).toHaveLength(16);
    expect(lazy.randomUUID()).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const drawn = Array.from({ length: 200 }, () => lazy.randomInt(0, 100));
    expect(drawn.every((value) => Number.isInteger(value) && value >= 0 && value < 100)).toBe(true);
  });

  it('gives a default import every member of the real module', () => {
    expect(lazyDefault.createHash('md5').update('x').digest('hex')).toBe(
      crypto.createHash('md5').update('x').digest('hex'),
    );
    expect(lazyDefault.constants).toBe(crypto.constants);
  });
});
