import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTlsMaterial, type TlsMaterial } from '../../../../test/support/tls-material.js';
import { HaConfigError } from '../config/ha-config.error.js';
import { clientIdentity } from './key-store.js';
import { KeyStoreError } from './key-store.error.js';
import { loadConsulTlsMaterial } from './load-consul-tls-material.js';
import { trustedCertificates } from './trust-store.js';

// Property-based: random and mutated input to the JKS, PKCS#12 and PEM readers. Nothing but a
// KeyStoreError comes out of a reader (an HaConfigError out of the loader), and no case takes 2 s.
// Fixed seeds: a failure prints its seed and counterexample, and the same run replays it.
const SEED = 20261301;
const CASE_BUDGET_MS = 2_000;

let material: TlsMaterial;
const stores = new Map<string, Buffer>();

beforeAll(async () => {
  material = await createTlsMaterial({ password: 'fuzz-pw' });
  const files: Record<string, string | undefined> = {
    'pem key store': material.client.pem,
    'pem trust store': material.truststore.pem,
    'pkcs12 key store': material.client.p12,
    'pkcs12 trust store': material.truststore.p12,
    'jks key store': material.client.jks,
    'jks trust store': material.truststore.jks,
  };
  for (const [name, file] of Object.entries(files)) if (file) stores.set(name, readFileSync(file));
}, 60_000);
afterAll(() => material?.cleanup());

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0x00, 0x7f, 0x80, 0x84, 0xff, 0x30, 0x02) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 32 }) }),
);

function mutate(base: Buffer, mutations: readonly Mutation[]): Buffer {
  let bytes = Buffer.from(base);
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % bytes.length;
    if (m.kind === 'flip') bytes[at] ^= 1 << m.bit;
    else if (m.kind === 'set') bytes[at] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.subarray(0, at);
    else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), m.bytes, bytes.subarray(at)]);
    else bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
  }
  return bytes;
}

/** JKS integrity digest (SHA-1 over UTF-16BE password, "Mighty Aphrodite", body), so mutations reach the parser. */
function redigestJks(bytes: Buffer, password: string): Buffer {
  if (bytes.length < 20) return bytes;
  const body = bytes.subarray(0, bytes.length - 20);
  const pwd = Buffer.from(password, 'utf16le').swap16();
  return Buffer.concat([body, createHash('sha1').update(pwd).update('Mighty Aphrodite', 'utf8').update(body).digest()]);
}

/** Both readers on the bytes: each returns or throws a KeyStoreError, within the budget. */
function readBoth(bytes: Buffer, password: string | undefined): void {
  for (const read of [() => trustedCertificates(bytes, password), () => clientIdentity(bytes, password)]) {
    const started = performance.now();
    try {
      read();
    } catch (error) {
      if (!(error instanceof KeyStoreError)) throw new Error(`not a KeyStoreError: ${String(error)}`, { cause: error });
    }
    const elapsed = performance.now() - started;
    if (elapsed > CASE_BUDGET_MS) throw new Error(`a read took ${elapsed.toFixed(0)} ms`);
  }
}

describe('key and trust store readers under random and mutated input', () => {
  it(`mutated PEM, PKCS#12 and JKS stores (seed ${SEED}, 1000 runs)`, () => {
    const names = [...stores.keys()];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(mutationArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (name, mutations, rightPassword) => {
        readBoth(mutate(stores.get(name)!, mutations), rightPassword ? material.password : 'not-the-password');
      }),
      { seed: SEED, numRuns: 1000 },
    );
  });

  it(`mutated JKS stores with a valid digest, so the parser itself is reached (seed ${SEED + 1}, 500 runs)`, () => {
    const jks = [...stores.entries()].filter(([name]) => name.startsWith('jks')).map(([, bytes]) => bytes);
    fc.assert(
      fc.property(fc.constantFrom(...jks), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (base, mutations) => {
        readBoth(redigestJks(mutate(base, mutations), material.password), material.password);
      }),
      { seed: SEED + 1, numRuns: 500 },
    );
  });

  it(`random bytes behind each format's magic (seed ${SEED + 2}, 1000 runs)`, () => {
    const prefixes = [Buffer.alloc(0), Buffer.from('feedfeed00000002', 'hex'), Buffer.from('-----BEGIN CERTIFICATE-----\n'), Buffer.from('3082ffff020103', 'hex'), Buffer.from('-----BEGIN X-----\n'.repeat(50))];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 2048 }), fc.option(fc.string({ maxLength: 12 }), { nil: undefined }), (prefix, tail, password) => {
        readBoth(Buffer.concat([prefix, tail]), password);
      }),
      { seed: SEED + 2, numRuns: 1000 },
    );
  });

  it(`the loader reports a mutated trust store as an HaConfigError only (seed ${SEED + 3}, 300 runs)`, () => {
    const file = join(material.dir, 'fuzzed-store');
    const names = [...stores.keys()];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (name, mutations) => {
        writeFileSync(file, mutate(stores.get(name)!, mutations));
        const started = performance.now();
        try {
          loadConsulTlsMaterial({ trustStorePath: file, keyStorePath: file, keyStoresPwd: material.password });
        } catch (error) {
          if (!(error instanceof HaConfigError)) throw new Error(`not an HaConfigError: ${String(error)}`, { cause: error });
          expect(error.message).not.toContain(material.password);
        }
        expect(performance.now() - started).toBeLessThan(CASE_BUDGET_MS);
      }),
      { seed: SEED + 3, numRuns: 300 },
    );
  });
});
