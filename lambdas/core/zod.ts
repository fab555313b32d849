// zod/mini, zod's tree-shakable build: a Lambda bundle carries only the validators it calls (full zod is ~96 KiB of
// every bundle that imports it). Every module of lambdas/ imports zod from here, never `zod` itself, for two reasons:
// one full-zod import puts the whole of it back in the bundle, and zod/mini has no messages of its own ("Invalid
// input" for everything) where full zod installs its English ones, which the 4xx answers and the policy errors
// quote ("Too small: expected string to have >=1 characters"). Configured here, once, before anything is parsed.

import { en } from 'zod/locales';
import { config } from 'zod/mini';

config(en());

export * from 'zod/mini';
/** The class of every zod/mini parse error, by name: `z.core.$ZodError` would put all of zod's core (its 40-odd
 * locales among it) in the bundle, as esbuild keeps a namespace whole when a member of it is read at run time. */
export { $ZodError } from 'zod/v4/core';
