// `node:crypto` as bundles import it (BUNDLE_ALIASES in lib/keyholder-function.ts): the same functions, loaded on
// their first call instead of at import. Loading the module costs 14 ms on this machine; a function that takes the
// AWS SDK from the runtime loads it anyway through the SDK, but health, GET /auth/config and GET /openapi.json load
// no SDK and never hash, and paid it only because Powertools Logger imports `randomInt` for debug-log sampling.
// A name missing here fails the bundle's build (esbuild: no matching export), never a call at run time.
import type * as NodeCrypto from 'node:crypto';

let loaded: typeof NodeCrypto | undefined;
/** The real module, from Node's own loader, the first time any of these is called. */
function nodeCrypto(): typeof NodeCrypto {
  loaded ??= process.getBuiltinModule('node:crypto');
  return loaded;
}

type Callable = (...args: unknown[]) => unknown;

/** `name` as a function that loads the module on its first call, typed exactly as Node's own. */
const lazy = <K extends keyof typeof NodeCrypto>(name: K): (typeof NodeCrypto)[K] =>
  ((...args: unknown[]) => (nodeCrypto()[name] as Callable)(...args)) as (typeof NodeCrypto)[K];

export const createHash = lazy('createHash');
export const createHmac = lazy('createHmac');
export const hash = lazy('hash');
export const randomBytes = lazy('randomBytes');
export const randomInt = lazy('randomInt');
export const randomUUID = lazy('randomUUID');
export const timingSafeEqual = lazy('timingSafeEqual');

/** `import crypto from 'node:crypto'` (mailparser): every member, read from the real module when first asked for. */
export default new Proxy({} as typeof NodeCrypto, {
  get: (_target, key) => Reflect.get(nodeCrypto(), key),
});
