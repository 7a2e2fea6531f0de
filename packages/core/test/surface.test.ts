// The root entry is the app- and store-author API; the plumbing only middleware authors need lives at
// `@idem/core/adapter`. This pins the split so the root cannot silently grow back.
import * as root from '../src';
import * as adapter from '../src/adapter';

describe('entry points', () => {
  it('keeps the middleware plumbing out of the root entry', () => {
    for (const name of Object.keys(adapter)) expect(Object.keys(root)).not.toContain(name);
  });

  it('offers apps and stores everything they build with at the root', () => {
    for (const name of [
      'IdempotencyRunner',
      'idempotent',
      'keyFromHeader',
      'compositeKey',
      'StorageError',
      'ConfigurationError',
      'jsonSerializer',
      'DEFAULT_MAX_BODY_BYTES',
    ]) {
      expect(Object.keys(root)).toContain(name);
    }
  });

  it('offers middleware authors the manager and the node and Web helpers', () => {
    for (const name of [
      'Idempotency',
      'createMiddlewareSetup',
      'captureNodeResponse',
      'sendNodeResponse',
      'readWebRequestBody',
      'toWebResponse',
    ]) {
      expect(Object.keys(adapter)).toContain(name);
    }
  });
});
