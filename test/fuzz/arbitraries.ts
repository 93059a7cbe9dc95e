/**
 * fast-check arbitraries shared by the fuzz tests, in Node (`test/fuzz/*.test.ts`) and in Chromium
 * (`test/component/fuzz/*.test.ts`): hostile strings, JSON-ish values, and a way to corrupt a valid value one field at
 * a time. Nothing here reads `process` (the browser has none); run settings live in `config.ts`.
 */
import fc from 'fast-check';

/** Known-bad payloads: markup, script URLs, template and prototype tricks, Lit's own markers, odd unicode. */
export const PAYLOADS: readonly string[] = [
  '<img src=x onerror=alert(1)>',
  '<img src="https://evil.example/x.png" onerror="alert(1)">',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  "'><iframe src=javascript:alert(1)>",
  '</li><li part="connection" data-service-id="forged">',
  '<style>*{display:none}</style>',
  '<a href="javascript:alert(1)">x</a>',
  '<!--',
  '-->',
  ']]>',
  '<?lit$123$>',
  'lit$1234567$',
  '<!--?lit$1234$-->',
  '${alert(1)}',
  '{{constructor.constructor("alert(1)")()}}',
  '&lt;b&gt;bold&lt;/b&gt;',
  '&amp;&#x3C;script&#x3E;',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:image/svg+xml,<svg onload=alert(1)>',
  'data:image/png;base64,iVBORw0KGgo=',
  'DATA:IMAGE/PNG,abc',
  'data:image',
  'http://insecure.example/x.png',
  'https://evil.example/x.png?"onerror="alert(1)',
  'https://',
  '//evil.example/x.png',
  'file:///etc/passwd',
  'blob:https://evil.example/1',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'NaN',
  '-0',
  '1e309',
  'null',
  'undefined',
  'true',
  '',
  ' ',
  '\u0000',
  '\r\n',
  '\u202eevil\u202c',
  '\u200b\u200d\ufeff',
  '\ud800',
  '\udfff',
  'a\ud800b',
  '👩‍👩‍👧‍👦',
  'e\u0301\u0301\u0301',
  'مرحبا',
  '𝕏',
  '%00',
  '%3Cscript%3E',
  '%E0%A4%A',
  '\\u003cscript\\u003e',
];

/** A string of lone surrogates, which `JSON` carries (as `\ud800` escapes) but `encodeURIComponent` rejects. */
const surrogates = fc.string({ unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 4 });

/** Large strings: long runs of markup characters and of text. */
const huge = fc
  .tuple(fc.constantFrom('A', '<', '&', 'é', '\u0000', '<img src=x onerror=alert(1)>'), fc.integer({ min: 2_000, max: 40_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)));

export interface HostileStringOptions {
  /** Include the large strings (tens of kilobytes). Default true. */
  huge?: boolean;
}

// fast-check's built-in Unicode units build a lookup table over all their code points the first time they are used (to
// shrink values they did not make): ~1.1 million entries, most of a second, for `binary`. This unit draws the same
// code points (controls, the BMP, astral planes; no lone surrogates) without one. The arbitraries are shared.
const codePoint = fc
  .oneof(
    fc.integer({ min: 0, max: 0x7f }),
    fc.integer({ min: 0x80, max: 0xd7ff }),
    fc.integer({ min: 0xe000, max: 0xffff }),
    fc.integer({ min: 0x10000, max: 0x10ffff }),
  )
  .map((code) => String.fromCodePoint(code));
const payload = fc.constantFrom(...PAYLOADS);
const binary = fc.string({ unit: codePoint, maxLength: 40 });
const grapheme = fc.string({ unit: 'grapheme', maxLength: 20 });
const binaryAscii = fc.string({ unit: 'binary-ascii', maxLength: 40 });
const combined = fc.tuple(payload, binary, payload).map(([before, middle, after]) => `${before}${middle.slice(0, 8)}${after}`);

/** Any string of Unicode code points (no lone surrogates), up to 40 of them. */
export const unicodeString: fc.Arbitrary<string> = binary;

function buildHostileString(withHuge: boolean): fc.Arbitrary<string> {
  const arbitraries: fc.WeightedArbitrary<string>[] = [
    { arbitrary: payload, weight: 6 },
    { arbitrary: fc.string(), weight: 3 },
    { arbitrary: binary, weight: 3 },
    { arbitrary: grapheme, weight: 2 },
    { arbitrary: binaryAscii, weight: 2 },
    { arbitrary: surrogates, weight: 1 },
    { arbitrary: combined, weight: 2 },
  ];
  if (withHuge) arbitraries.push({ arbitrary: huge, weight: 1 });
  return fc.oneof(...arbitraries);
}

const HOSTILE = { withHuge: buildHostileString(true), withoutHuge: buildHostileString(false) };
const NON_EMPTY = {
  withHuge: HOSTILE.withHuge.filter((value) => value.length > 0),
  withoutHuge: HOSTILE.withoutHuge.filter((value) => value.length > 0),
};

/** Any string, biased towards the ones that break parsers and templates. */
export function hostileString(options: HostileStringOptions = {}): fc.Arbitrary<string> {
  return options.huge === false ? HOSTILE.withoutHuge : HOSTILE.withHuge;
}

/** A non-empty hostile string. */
export function nonEmptyHostileString(options: HostileStringOptions = {}): fc.Arbitrary<string> {
  return options.huge === false ? NON_EMPTY.withoutHuge : NON_EMPTY.withHuge;
}

/** Keys for objects: ordinary names, the prototype's own names, hostile strings. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'then', 'length', ''),
  fc.string({ maxLength: 10 }),
  hostileString({ huge: false }),
);

/**
 * JSON values that make zod 4 throw from `safeParse` where a string with a length check is expected: its length checks
 * also run on a value of the wrong type that has a `length`, and comparing this `length` with a number throws a
 * TypeError (its `toString` is not callable). Found by these tests at 20,000 cases; drawn often since.
 */
export const POISON: readonly unknown[] = [
  { length: { toString: 1 } },
  { length: { toString: {}, valueOf: {} } },
  { length: { toString: 'x', valueOf: null } },
];

/** Any JSON value, with hostile strings and keys inside. */
export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.constantFrom(...POISON),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    hostileString({ huge: false }),
    fc.array(tie('value'), { maxLength: 4 }),
    // Objects as JSON.parse makes them (with Object.prototype).
    fc.dictionary(hostileKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/** Any value at all (what `postMessage` or a broken caller may hand over), including non-JSON ones. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileJson,
  fc.anything({ maxDepth: 2, withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true }),
  fc.constantFrom(undefined, Number.NaN, Infinity, -Infinity, -0),
);

/** Marks a field to remove, in `corrupt`. */
export const DELETE = Symbol('delete');

/**
 * A valid value, or one of its own fields replaced by any value (or removed). `weight` is the weight of the unchanged
 * value against the corrupted ones, so that each run exercises both the accepting and the refusing side.
 */
export function corrupt<T extends object>(valid: fc.Arbitrary<T>, replacement: fc.Arbitrary<unknown> = anyValue): fc.Arbitrary<unknown> {
  const corrupted = fc
    .tuple(valid, fc.nat(), fc.oneof(fc.constant<typeof DELETE>(DELETE), replacement))
    .map(([value, index, next]) => {
      const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
      const keys = Object.keys(copy);
      if (keys.length === 0) return copy;
      const key = keys[index % keys.length];
      if (next === DELETE) delete copy[key];
      else copy[key] = next;
      return copy;
    });
  return fc.oneof(valid as fc.Arbitrary<unknown>, corrupted);
}

/** A JSON text that does not parse: cut short, with trailing garbage, in JavaScript's syntax rather than JSON's. */
export const malformedJson: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 3 }).chain((text) =>
    text.length > 1 ? fc.integer({ min: 1, max: text.length - 1 }).map((cut) => text.slice(0, cut)) : fc.constant('{'),
  ),
  fc.tuple(fc.json({ maxDepth: 2 }), fc.constantFrom('}', ',', ']', 'x', '{"a":1}', '\u0000')).map(([text, tail]) => `${text}${tail}`),
  fc.constantFrom(
    '{',
    '}',
    '[',
    '{"a":}',
    "{'a':1}",
    '{a:1}',
    '{"a":NaN}',
    '{"a":Infinity}',
    '{"a":undefined}',
    '[1,]',
    '{"a":1,}',
    '"unterminated',
    '\u0000',
    '<html><body>502 Bad Gateway</body></html>',
    ')]}\'\n{"a":1}',
    '{"a":1}{"b":2}',
    '--',
    '0x10',
    '.5',
  ),
);

/** A reply body as text: any JSON, malformed JSON, or a hostile string. */
export const anyBodyText: fc.Arbitrary<string> = fc.oneof(
  hostileJson.map((value) => JSON.stringify(value) ?? 'null'),
  malformedJson,
  hostileString(),
);

/** A base64url encoding of UTF-8 text, as a JWT's parts use (works in Node and in browsers). */
export function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** A JWT with `payload` (any value) and a made-up signature. */
export function jwtOf(payload: unknown): string {
  return `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(payload) ?? 'null')}.${base64url('not-a-signature')}`;
}
