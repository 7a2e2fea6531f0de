/**
 * Which request methods are protected: a list (default POST, PUT, PATCH, DELETE), or `'unsafe'`: every
 * method but the safe ones (GET, HEAD, OPTIONS, TRACE), as Fiber's idempotency middleware does.
 */
export type ProtectedMethods = readonly string[] | 'unsafe';

import { DEFAULTS } from './options';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** Upper-cases a list (the default when absent); `'unsafe'` stays as it is. */
export function resolveMethods(methods: ProtectedMethods | undefined): ProtectedMethods {
  if (methods === 'unsafe') return 'unsafe';
  return Object.freeze([...new Set((methods ?? DEFAULTS.methods).map((m) => m.toUpperCase()))]);
}

export function isMethodProtected(methods: ProtectedMethods, method: string): boolean {
  const upper = method.toUpperCase();
  return methods === 'unsafe' ? !SAFE_METHODS.has(upper) : methods.includes(upper);
}
