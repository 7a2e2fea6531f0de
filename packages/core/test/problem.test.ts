import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStore } from '@idem/memory';
import {
  ConfigurationError,
  InvalidKeyError,
  KeyGenerationError,
  RequestInProgressError,
  StorageError,
  toStorageError,
  type IdempotencyRequest,
  type IdempotencyStore,
} from '../src';
import { Idempotency } from '../src/adapter';
import { ERROR_CODES, problemDetails, problemResponse } from '../src/problem';

const json = (body: Uint8Array) => JSON.parse(new TextDecoder().decode(body));
const post = (key: string): IdempotencyRequest => ({
  method: 'POST',
  url: '/payments',
  headers: { 'idempotency-key': key },
  body: new Uint8Array(),
});

describe('problem details', () => {
  it('never hands a client what the store said: a 503 carries a fixed detail, the error keeps the cause', () => {
    const error = toStorageError(new Error('relation "idem_keys" does not exist'), 'acquire');
    expect(error.message).toContain('idem_keys');
    const problem = problemDetails(error);
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'The idempotency store could not be reached, so this request was not processed. Retry it after the Retry-After delay.',
      code: 'STORAGE_ERROR',
    });
  });

  it("keeps an app's own exception out of a key derivation failure's detail", () => {
    const error = new KeyGenerationError('Could not derive the idempotency key: Cannot read properties of undefined (reading "tenant")');
    expect(problemDetails(error).detail).toBe('The idempotency key could not be derived from this request.');
  });

  it('keeps the messages written for the client (a key rule, a conflict)', () => {
    expect(problemDetails(new InvalidKeyError('use 8-64 letters')).detail).toBe('Invalid idempotency key: use 8-64 letters.');
    expect(problemDetails(new RequestInProgressError(2)).detail).toMatch(/still being processed/);
  });

  it('with docsUrl, types each code by its anchor, titles the type, and links it as describedby', () => {
    const response = problemResponse(new StorageError('ECONNREFUSED 10.0.0.7:6379'), 3, 'https://docs.example.com/errors');
    expect(response.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': '3',
      link: '<https://docs.example.com/errors#storage_error>; rel="describedby"',
    });
    expect(json(response.body)).toMatchObject({
      type: 'https://docs.example.com/errors#storage_error',
      title: 'Idempotency store unavailable',
      status: 503,
    });
  });

  it('puts the anchor where {code} is', () => {
    const problem = problemDetails(new InvalidKeyError('too long'), 'https://docs.example.com/errors/{code}.html');
    expect(problem.type).toBe('https://docs.example.com/errors/invalid_key.html');
  });

  it('sends no Link header without docsUrl', () => {
    expect(problemResponse(new InvalidKeyError('x')).headers).not.toHaveProperty('link');
  });
});

describe('the docsUrl option', () => {
  let store: IdempotencyStore;
  beforeEach(() => {
    store = new MemoryStore();
  });
  afterEach(() => store.close());

  it("reaches the manager's problem responses", async () => {
    const idem = new Idempotency({ store, docsUrl: 'https://docs.example.com/errors' });
    const first = await idem.handle(post('k'));
    expect(first.action).toBe('execute');
    const duplicate = await idem.handle(post('k'));
    if (duplicate.action !== 'respond') throw new Error(`expected respond, got ${duplicate.action}`);
    expect(duplicate.response.status).toBe(409);
    expect(duplicate.response.headers.link).toBe('<https://docs.example.com/errors#request_in_progress>; rel="describedby"');
    expect(json(duplicate.response.body).type).toBe('https://docs.example.com/errors#request_in_progress');
  });

  it.each([
    42,
    '',
    'docs/errors',
    'ftp://docs.example.com/errors',
    'https://docs.example.com/errors#top',
    'https://docs.example.com/a b',
    'javascript:alert(1)',
  ])('refuses %p at construction', (docsUrl) => {
    expect(() => new Idempotency({ store, docsUrl: docsUrl as string })).toThrow(ConfigurationError);
  });
});

describe('docs/errors.md', () => {
  const doc = readFileSync(join(__dirname, '../../../docs/errors.md'), 'utf8');

  it.each(ERROR_CODES)('documents %s under a heading its anchor points to, with its status', (code) => {
    const section = doc.split(/^## /m).find((part) => part.startsWith(`${code}\n`));
    expect(section).toBeDefined();
    expect(doc).toMatch(new RegExp(`\\| \\[\`${code}\`\\]\\(#${code.toLowerCase()}\\) \\| (\\d{3}|—) \\|`));
    expect(section).toMatch(/\*Client:\*|\*Developer:\*/);
  });
});
