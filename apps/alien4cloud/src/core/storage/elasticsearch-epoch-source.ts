import { Client, errors } from '@elastic/elasticsearch';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EpochRequest, HaFencing } from '@a4c/ha';
import type { ElasticsearchConfig } from '../../config/app-config.js';
import { clientOptions } from './elasticsearch-document-store.js';
import { MAX_EPOCH } from './fenced-version.js';

/** The fence document: `<indexPrefix>_fence/_doc/epoch` (no collection name can start with "_"). */
export const FENCE_INDEX_SUFFIX = '_fence';
const FENCE_ID = 'epoch';

export interface FenceDocument {
  /** The last epoch handed out. */
  readonly epoch: number;
  /** Who got it, under which Consul term, when: for operators reading the document. */
  readonly instanceId: string;
  readonly term: number;
  readonly at: string;
}

/** Racing activations retry a lost compare-and-set; this many tries (each a few ms) is far beyond any real race. */
const MAX_ATTEMPTS = 50;

/**
 * Hands out fencing epochs from Elasticsearch itself (docs/architecture.md § Fencing): read the fence
 * document, write `epoch + 1` only if it is still the version read (`if_seq_no`/`if_primary_term`, or
 * `op_type: create` for the first one), retry on a conflict. Two activations therefore never get the
 * same epoch; the write is durable before it is acknowledged (translog), so the count survives an
 * Elasticsearch restart; nothing depends on Consul, whose LockIndex restarts at 1 when it loses its state.
 */
export async function nextEpoch(client: Client, index: string, request: EpochRequest): Promise<number> {
  await ensureFenceIndex(client, index);
  for (let attempt = 1; ; attempt++) {
    const current = await readFence(client, index);
    const epoch = (current?.epoch ?? 0) + 1;
    if (epoch > MAX_EPOCH) throw new Error(`fencing epochs exhausted (${MAX_EPOCH})`);
    const document: FenceDocument = { epoch, instanceId: request.instanceId, term: request.term, at: new Date().toISOString() };
    try {
      if (current) await client.index({ index, id: FENCE_ID, document, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm });
      else await client.create({ index, id: FENCE_ID, document });
      return epoch;
    } catch (error) {
      if (!(error instanceof errors.ResponseError && error.statusCode === 409) || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.random() * 5 * attempt); // another activation won this round: read again
    }
  }
}

/** The HaModule `fencing` option for an Elasticsearch store: one short-lived client per activation. */
export function elasticsearchFencing(config: ElasticsearchConfig): HaFencing {
  return {
    obtainEpoch: async (request) => {
      const client = new Client(clientOptions(config));
      try {
        return await nextEpoch(client, `${config.indexPrefix}${FENCE_INDEX_SUFFIX}`, request);
      } finally {
        await client.close();
      }
    },
  };
}

async function readFence(client: Client, index: string): Promise<{ epoch: number; seqNo: number; primaryTerm: number } | undefined> {
  try {
    const response = await client.get<FenceDocument>({ index, id: FENCE_ID });
    if (!response.found || !response._source) return undefined;
    const epoch = response._source.epoch;
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new Error(`the fence document ${index}/${FENCE_ID} holds no valid epoch`);
    return { epoch, seqNo: response._seq_no!, primaryTerm: response._primary_term! };
  } catch (error) {
    if (error instanceof errors.ResponseError && error.statusCode === 404) return undefined;
    throw error;
  }
}

async function ensureFenceIndex(client: Client, index: string): Promise<void> {
  try {
    await client.indices.create({ index, mappings: { dynamic: false, properties: { epoch: { type: 'long' } } } });
  } catch (error) {
    if (!(error instanceof errors.ResponseError && error.body?.error?.type === 'resource_already_exists_exception')) throw error;
  }
}
