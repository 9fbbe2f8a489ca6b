import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown } from '@nestjs/common';
import { Fence, HA_CONTEXT, type HaContext } from '@a4c/ha';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../core/app-config.token.js';
import { PluginRegistryService } from '../../core/plugins/plugin-registry.service.js';
import { DOCUMENT_STORE, type DocumentStore, type StoredDocument } from '../../core/storage/document-store.js';
import { ElasticsearchDocumentStore } from '../../core/storage/elasticsearch-document-store.js';

/** The descriptor id that switches the test plugin on (`<directories.alien>/plugins/<dir>/plugin.json`). */
export const LATE_WRITE_PLUGIN_ID = 'a4c-test-late-write';
export const NOTES_COLLECTION = 'test-notes';
/** How long a paused write waits for its go file before giving up. */
const MAX_PAUSE_MS = 60_000;

export interface Note extends StoredDocument {
  readonly text: string;
  /** Who wrote it, at which epoch. */
  readonly by: string;
  readonly epoch: number;
}

/**
 * A test plugin for the fencing e2e scenario (docs/failure-modes.md): notes written through the store,
 * and a "late write" that checks leadership, then pauses until the test lets it go, then writes as a
 * process would that passed its check and was paused (GC, SIGSTOP) before the write left. That write
 * goes to Elasticsearch with this activation's epoch but no second local check, so only the storage's
 * fence can refuse it. Inert unless a plugin descriptor with id `a4c-test-late-write` is installed.
 */
@Injectable()
export class LateWriteService implements OnApplicationShutdown {
  private readonly logger = new Logger('LateWritePlugin');
  private readonly pauseDir: string;
  private checkedStore: ElasticsearchDocumentStore | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DOCUMENT_STORE) private readonly store: DocumentStore,
    private readonly registry: PluginRegistryService,
    @Optional() @Inject(HA_CONTEXT) private readonly ha?: HaContext,
  ) {
    this.pauseDir = join(config.directories.alien, 'test-plugin');
  }

  get enabled(): boolean {
    return this.registry.list().some((p) => p.enabled && p.descriptor?.id === LATE_WRITE_PLUGIN_ID);
  }

  get(id: string): Promise<Note | undefined> {
    return this.store.get<Note>(NOTES_COLLECTION, id);
  }

  async write(id: string, text: string): Promise<Note> {
    const note = this.note(id, text);
    await this.store.put(NOTES_COLLECTION, note);
    return note;
  }

  /** Checks leadership, writes `<token>.checked`, waits for `<token>.go`, then writes without checking again. */
  async lateWrite(id: string, text: string, token: string): Promise<Note> {
    new Fence(this.ha).check(`late write ${NOTES_COLLECTION}/${id}`);
    await mkdir(this.pauseDir, { recursive: true });
    await writeFile(join(this.pauseDir, `${token}.checked`), '');
    this.logger.log(`late write of ${id}: leadership checked, paused until ${token}.go`);
    const deadline = performance.now() + MAX_PAUSE_MS;
    while (!(await exists(join(this.pauseDir, `${token}.go`)))) {
      if (performance.now() > deadline) throw new Error(`late write of ${id}: ${token}.go did not appear`);
      await sleep(10);
    }
    const note = this.note(id, text);
    await this.storeWithoutCheck().put(NOTES_COLLECTION, note);
    return note;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.checkedStore?.onApplicationShutdown();
  }

  private note(id: string, text: string): Note {
    return { id, text, by: this.ha?.instanceId ?? 'standalone', epoch: this.ha?.epoch ?? 0 };
  }

  /** A store at this activation's epoch whose own leadership check always passes: the check was done above. */
  private storeWithoutCheck(): DocumentStore {
    if (this.config.elasticsearch.urls.length === 0 || !this.ha) return this.store;
    const stillBelieving: HaContext = { ...this.ha, signal: new AbortController().signal, isLeading: () => true };
    this.checkedStore ??= ElasticsearchDocumentStore.fromConfig(this.config.elasticsearch, new Fence(stillBelieving));
    return this.checkedStore;
  }
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}
