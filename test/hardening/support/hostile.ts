/**
 * fast-check arbitraries for hostile request bodies and headers: random JSON, wrong types, deep
 * nesting, huge arrays, prototype-poisoning keys, invalid UTF-8 and plain garbage bytes, each
 * paired with a content type that may or may not match.
 */
import fc from 'fast-check';

// A failing property reports the assertion that failed, not only the counterexample.
fc.configureGlobal({ ...fc.readConfigureGlobal(), includeErrorInReport: true });

export interface HostileBody {
  readonly kind: string;
  readonly body: Buffer;
  readonly contentType: string | undefined;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** JSON values with wrong types everywhere, including the shapes of our own bodies. */
export const wrongTypes = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.constantFrom<unknown>(
    null,
    true,
    0,
    -1,
    1e308,
    '',
    'null',
    '\u0000',
    'a\u0000b',
    '\ud800',
    '2026-13-45T99:99:99Z',
    '-infinity',
    'NaN',
    [],
    {},
    [null],
    { value: null },
    { value: {} },
    { value: 'x' },
    { value: [null, 1, 'a', []] },
  ),
);

/** `[[[...]]]` or `{"a":{"a":...}}` nested `depth` deep, optionally inside a notification collection. */
export const deepNesting = fc
  .record({
    depth: fc.integer({ min: 100, max: 200_000 }),
    object: fc.boolean(),
    wrapped: fc.boolean(),
    poisoned: fc.boolean(),
  })
  .map(({ depth, object, wrapped, poisoned }) => {
    const bottom = poisoned
      ? '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'
      : '1';
    const inner = object
      ? `${'{"a":'.repeat(depth)}${bottom}${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}${poisoned ? bottom : ''}${']'.repeat(depth)}`;
    return Buffer.from(wrapped ? `{"value":[${inner}]}` : inner, 'utf8');
  });

/** Arrays around the item limit (1,000) and far beyond it within the body limit. */
export const hugeArrays = fc.oneof(
  fc
    .integer({ min: 990, max: 1_010 })
    .map((n) =>
      json({ value: Array.from({ length: n }, (_, i) => ({ subscriptionId: `s${i}`, clientState: 'x' })) }),
    ),
  fc
    .integer({ min: 10_000, max: 200_000 })
    .map((n) => Buffer.from(`{"value":[${Array.from({ length: n }, () => '0').join(',')}]}`)),
  fc
    .integer({ min: 10_000, max: 100_000 })
    .map((n) => Buffer.from(`{"value":[{"resourceData":{"x":[${'1,'.repeat(n)}1]}}]}`)),
);

const POISON_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
  'valueOf',
];

/** Objects whose keys try to reach Object.prototype (as raw JSON text: JSON.stringify would drop __proto__). */
export const poisonKeys = fc
  .record({
    key: fc.constantFrom(...POISON_KEYS),
    where: fc.constantFrom('top', 'item', 'resourceData', 'nested'),
    payload: fc.constantFrom(
      '{"clientState":"poisoned","polluted":true}',
      '{"prototype":{"polluted":true}}',
      '[]',
      'null',
      '"x"',
      '1',
    ),
  })
  .map(({ key, where, payload }) => {
    const member = `"${key}":${payload}`;
    const text =
      where === 'top'
        ? `{${member},"value":[]}`
        : where === 'item'
          ? `{"value":[{${member},"subscriptionId":"x"}]}`
          : where === 'resourceData'
            ? `{"value":[{"resourceData":{${member}}}]}`
            : `{"value":[{"a":{"b":{${member}}}}]}`;
    return Buffer.from(text, 'utf8');
  });

/** A JSON text with bytes that are not UTF-8 spliced in (inside strings, keys, or between tokens). */
export const invalidUtf8 = fc
  .record({
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b.map((x) => 0x80 | x))),
    where: fc.constantFrom('string', 'key', 'between', 'start'),
  })
  .map(({ bytes, where }) => {
    const parts: Record<string, Buffer[]> = {
      string: [Buffer.from('{"value":[{"clientState":"'), bytes, Buffer.from('"}]}')],
      key: [Buffer.from('{"'), bytes, Buffer.from('":1,"value":[]}')],
      between: [Buffer.from('{"value":'), bytes, Buffer.from('[]}')],
      start: [bytes, Buffer.from('{"value":[]}')],
    };
    return Buffer.concat(parts[where]!);
  });

export const garbageBytes = fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b));

export const contentTypes = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'APPLICATION/JSON',
      'text/plain',
      'text/plain; charset=latin1',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=xyz',
      'application/xml',
      'application/octet-stream',
      'application/jsonx',
      'application/merge-patch+json',
      '*/*',
      '',
      ';;;',
    ),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
  },
);

/** Short descriptions in fast-check's counterexamples instead of megabytes of Buffer. */
export function described<T extends object>(value: T, text: string): T {
  return Object.assign(value, { [fc.toStringMethod]: () => text });
}

function describeBody(b: HostileBody): HostileBody {
  const head = b.body
    .subarray(0, 80)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return described(
    { ...b },
    `${b.kind} (${b.contentType ?? 'no content-type'}, ${b.body.length} bytes: ${head}${b.body.length > 80 ? '...' : ''})`,
  );
}

/** Any hostile body with any content type. */
export const hostileBodies: fc.Arbitrary<HostileBody> = fc
  .oneof(
    fc.record({ kind: fc.constant('wrong-types'), body: wrongTypes.map(json), contentType: contentTypes }),
    fc.record({
      kind: fc.constant('deep-nesting'),
      body: deepNesting,
      contentType: fc.constant('application/json'),
    }),
    fc.record({
      kind: fc.constant('huge-array'),
      body: hugeArrays,
      contentType: fc.constant('application/json'),
    }),
    fc.record({ kind: fc.constant('poison-keys'), body: poisonKeys, contentType: contentTypes }),
    fc.record({ kind: fc.constant('invalid-utf8'), body: invalidUtf8, contentType: contentTypes }),
    fc.record({ kind: fc.constant('garbage'), body: garbageBytes, contentType: contentTypes }),
  )
  .map(describeBody);

/** Header values a client can send (visible ASCII), hostile in meaning. */
export const hostileHeaderValue = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 200 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim()),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'undefined',
    '../../etc/passwd',
    "' OR 1=1 --",
    '${jndi:ldap://x}',
    '%00',
    'a'.repeat(4000),
    '-1',
    '1e309',
  ),
);

export function headersFrom(
  contentType: string | undefined,
  extra: Record<string, string> = {},
): Record<string, string> {
  return contentType === undefined ? { ...extra } : { 'content-type': contentType, ...extra };
}

/** Own enumerable keys of Object.prototype: a polluted prototype shows up here. */
export function prototypeKeys(): string[] {
  return Object.keys(Object.prototype);
}
