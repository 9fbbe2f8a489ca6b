import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeId, encodeId, FileDocumentStore } from './file-document-store.js';
import { CorruptDocumentError, DuplicateError, InvalidKeyError } from './store.error.js';

interface Doc {
  id: string;
  kind?: string;
  n?: number;
}

describe('FileDocumentStore', () => {
  let root: string;
  beforeAll(() => Logger.overrideLogger(false)); // the store's log lines are not under test
  let store: FileDocumentStore;

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'a4c-store-'));
    store = new FileDocumentStore(root);
    await store.onModuleInit();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates, gets, lists, replaces and deletes documents', async () => {
    await store.create<Doc>('things', { id: 'b', n: 1 });
    await store.create<Doc>('things', { id: 'a', n: 2 });
    expect(await store.get<Doc>('things', 'b')).toEqual({ id: 'b', n: 1 });
    expect(await store.list<Doc>('things')).toEqual([{ id: 'a', n: 2 }, { id: 'b', n: 1 }]);
    await store.put<Doc>('things', { id: 'b', n: 3 });
    expect(await store.get<Doc>('things', 'b')).toEqual({ id: 'b', n: 3 });
    expect(await store.delete('things', 'b')).toBe(true);
    expect(await store.delete('things', 'b')).toBe(false);
    expect(await store.get('things', 'b')).toBeUndefined();
  });

  it('answers empty for a collection never written', async () => {
    expect(await store.list('nothing-yet')).toEqual([]);
    expect(await store.get('nothing-yet', 'x')).toBeUndefined();
    expect(await store.delete('nothing-yet', 'x')).toBe(false);
  });

  it('refuses a second create of the same id with a DuplicateError and keeps the first', async () => {
    await store.create<Doc>('things', { id: 'a', n: 1 });
    await expect(store.create<Doc>('things', { id: 'a', n: 2 })).rejects.toEqual(new DuplicateError('things', 'a'));
    expect(await store.get<Doc>('things', 'a')).toEqual({ id: 'a', n: 1 });
  });

  it('lets exactly one of many racing creates win', async () => {
    const other = new FileDocumentStore(root); // another instance on the same directory
    const attempts = Array.from({ length: 20 }, (_, n) => (n % 2 ? store : other).create<Doc>('things', { id: 'race', n }));
    const outcomes = await Promise.allSettled(attempts);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'rejected').every((o) => (o as PromiseRejectedResult).reason instanceof DuplicateError)).toBe(true);
    expect(readdirSync(join(root, 'things'))).toEqual(['race.json']); // no temp file left behind
  });

  it('filters on top-level fields and limits', async () => {
    for (const [id, kind] of [['a', 'x'], ['b', 'y'], ['c', 'x'], ['d', 'x']]) await store.put<Doc>('things', { id, kind });
    expect((await store.list<Doc>('things', { filter: { kind: 'x' } })).map((d) => d.id)).toEqual(['a', 'c', 'd']);
    expect((await store.list<Doc>('things', { filter: { kind: 'x' }, limit: 2 })).map((d) => d.id)).toEqual(['a', 'c']);
    expect(await store.list<Doc>('things', { limit: 0 })).toEqual([]);
  });

  it('keeps acknowledged writes across a restart (a new store on the same directory)', async () => {
    await store.create<Doc>('things', { id: 'kept', n: 1 });
    await store.put<Doc>('things', { id: 'replaced', n: 1 });
    await store.put<Doc>('things', { id: 'replaced', n: 2 });
    const restarted = new FileDocumentStore(root);
    await restarted.onModuleInit();
    expect(await restarted.list<Doc>('things')).toEqual([{ id: 'kept', n: 1 }, { id: 'replaced', n: 2 }]);
  });

  it('ignores temp files left by a crash in the middle of a write, and removes stale ones at start', async () => {
    await store.put<Doc>('things', { id: 'a', n: 1 });
    const dir = join(root, 'things');
    writeFileSync(join(dir, '.tmp-fresh'), '{"id":"a","n":'); // a write cut short by a crash
    writeFileSync(join(dir, '.tmp-stale'), '{"id":"b"}');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(join(dir, '.tmp-stale'), hourAgo, hourAgo);
    expect(await store.list<Doc>('things')).toEqual([{ id: 'a', n: 1 }]);
    expect(await store.get<Doc>('things', 'a')).toEqual({ id: 'a', n: 1 });

    const restarted = new FileDocumentStore(root);
    await restarted.onModuleInit();
    expect(readdirSync(dir).sort()).toEqual(['.tmp-fresh', 'a.json']); // a fresh one may be a live writer's
    expect(await restarted.list<Doc>('things')).toEqual([{ id: 'a', n: 1 }]);
  });

  it('stores ids that are not file-name safe under reversible names', async () => {
    const ids = ['a/b', '..', '.hidden', 'sp ace', 'é%'];
    for (const id of ids) await store.create<Doc>('things', { id });
    expect((await store.list<Doc>('things')).map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(readdirSync(join(root, 'things')).every((name) => !name.startsWith('.') && !name.includes('/'))).toBe(true);
    for (const id of ids) expect(decodeId(encodeId(id))).toBe(id);
  });

  it('refuses invalid collections and ids', async () => {
    await expect(store.put('../escape', { id: 'a' })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.put('Things', { id: 'a' })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.put('things', { id: '' })).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.get('things', 'x'.repeat(201))).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('reports a document file that is not JSON instead of inventing content', async () => {
    mkdirSync(join(root, 'things'), { recursive: true });
    writeFileSync(join(root, 'things', 'bad.json'), 'not json');
    await expect(store.get('things', 'bad')).rejects.toBeInstanceOf(CorruptDocumentError);
  });
});
