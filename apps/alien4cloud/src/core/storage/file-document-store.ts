import { Logger, type OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Fence } from '@a4c/ha';
import type { DocumentStore, ListOptions, StoredDocument } from './document-store.js';
import { CorruptDocumentError, DuplicateError } from './store.error.js';
import { checkCollection, checkDocument, checkId, listLimit, matchesFilter } from './store-keys.js';

const TEMP_PREFIX = '.tmp-';
const SUFFIX = '.json';
/** Temp files older than this are debris of a crash (a live write takes milliseconds): removed at start. */
const STALE_TEMP_MS = 10 * 60_000;

/**
 * The embedded store: `<root>/<collection>/<encoded id>.json`, one file per document. Every write goes
 * to a temp file that is fsync'd, then renamed (put) or hard-linked (create: link fails with EEXIST, so
 * two racing creates cannot both win), then the directory is fsync'd before the write is acknowledged.
 * A crash therefore leaves either the old document or the new one, plus maybe a temp file that readers
 * ignore. Single instance only: HA needs Elasticsearch. With an armed Fence (HA on) a write is refused
 * once the instance stopped acting; there is no epoch check on disk.
 */
export class FileDocumentStore implements DocumentStore, OnModuleInit {
  private readonly logger = new Logger('FileDocumentStore');
  private readonly readyDirs = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly fence: Fence = new Fence(),
  ) {}

  async onModuleInit(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await this.removeStaleTempFiles();
    this.logger.log(`embedded store at ${this.root}`);
  }

  async create<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const dir = await this.collectionDir(collection);
    const temp = await this.writeTemp(dir, document);
    try {
      this.fence.check(`create ${collection}/${document.id}`);
      await link(temp, this.fileOf(collection, document.id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new DuplicateError(collection, document.id);
      throw error;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await fsyncDir(dir);
  }

  async put<T extends StoredDocument>(collection: string, document: T): Promise<void> {
    checkDocument(collection, document);
    const dir = await this.collectionDir(collection);
    const temp = await this.writeTemp(dir, document);
    try {
      this.fence.check(`put ${collection}/${document.id}`);
      await rename(temp, this.fileOf(collection, document.id));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDir(dir);
  }

  async update<T extends StoredDocument>(collection: string, id: string, patch: Partial<Omit<T, 'id'>>): Promise<T | undefined> {
    const current = await this.get<T>(collection, id);
    if (!current) return undefined;
    const next = { ...current, ...patch, id } as T;
    await this.put(collection, next);
    return next;
  }

  async get<T extends StoredDocument>(collection: string, id: string): Promise<T | undefined> {
    checkCollection(collection);
    checkId(id);
    return this.readDocument<T>(this.fileOf(collection, id));
  }

  async list<T extends StoredDocument>(collection: string, options?: ListOptions): Promise<T[]> {
    checkCollection(collection);
    const dir = join(this.root, collection);
    const ids = (await readdirOrEmpty(dir))
      .filter((name) => !name.startsWith('.') && name.endsWith(SUFFIX)) // temp files are not documents
      .map((name) => decodeId(name.slice(0, -SUFFIX.length)))
      .sort();
    const limit = listLimit(options);
    const found: T[] = [];
    for (const id of ids) {
      if (found.length >= limit) break;
      const document = await this.readDocument<T>(this.fileOf(collection, id));
      if (document && matchesFilter(document as unknown as Record<string, unknown>, options?.filter)) found.push(document);
    }
    return found;
  }

  async delete(collection: string, id: string): Promise<boolean> {
    checkCollection(collection);
    checkId(id);
    try {
      this.fence.check(`delete ${collection}/${id}`);
      await unlink(this.fileOf(collection, id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await fsyncDir(join(this.root, collection));
    return true;
  }

  private fileOf(collection: string, id: string): string {
    return join(this.root, collection, encodeId(id) + SUFFIX);
  }

  private async collectionDir(collection: string): Promise<string> {
    const dir = join(this.root, collection);
    if (!this.readyDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      await fsyncDir(this.root); // the new directory entry must survive a crash too
      this.readyDirs.add(dir);
    }
    return dir;
  }

  private async writeTemp(dir: string, document: StoredDocument): Promise<string> {
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(JSON.stringify(document));
      await handle.sync();
    } finally {
      await handle.close();
    }
    return temp;
  }

  private async readDocument<T>(file: string): Promise<T | undefined> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CorruptDocumentError(`${file} is not a JSON document`);
    }
  }

  private async removeStaleTempFiles(): Promise<void> {
    const now = Date.now();
    for (const collection of await readdirOrEmpty(this.root)) {
      const dir = join(this.root, collection);
      for (const name of (await readdirOrEmpty(dir)).filter((n) => n.startsWith(TEMP_PREFIX))) {
        const file = join(dir, name);
        const info = await stat(file).catch(() => undefined);
        if (info && now - info.mtimeMs > STALE_TEMP_MS) await unlink(file).catch(() => undefined);
      }
    }
  }
}

/** File-name-safe and reversible; a leading "." is escaped so no id can look like a temp or hidden file. */
export function encodeId(id: string): string {
  return encodeURIComponent(id).replace(/^\./, '%2E');
}

export function decodeId(name: string): string {
  return decodeURIComponent(name);
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

/** Makes the directory's entries (a rename, link or unlink) durable. */
async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
