import { setTimeout as sleep } from 'node:timers/promises';
import type { TransitionRecord } from '../metrics/transition-history.js';
import { integerFlag, type CliArgs } from './cli-args.js';
import type { CliSettings } from './cli-config.js';
import { CliFailure, EXIT } from './cli-errors.js';
import { actingMembers, memberHistory, readSnapshot, withConsul, type ClusterSnapshot, type MemberRow } from './cluster-snapshot.js';
import { renderSnapshot, table } from './render.js';

export interface CliOutput {
  out(text: string): void;
  /** True when stdout is a terminal: watch then redraws in place. */
  readonly interactive: boolean;
  readonly signal?: AbortSignal;
}

interface Context {
  args: CliArgs;
  settings: CliSettings;
  io: CliOutput;
  json: boolean;
}

export async function list({ settings, io, json }: Context): Promise<number> {
  const snapshot = await withConsul(settings, (consul) => readSnapshot(settings, consul));
  io.out(json ? JSON.stringify(snapshot) : renderSnapshot(snapshot));
  return EXIT.ok;
}

export async function leader({ settings, io, json }: Context): Promise<number> {
  const snapshot = await withConsul(settings, (consul) => readSnapshot(settings, consul));
  const acting = actingMembers(snapshot);
  if (json) io.out(JSON.stringify({ acting: acting.map(pick), lock: snapshot.leader }));
  else if (acting.length === 0) io.out(`no instance acts as leader (${snapshot.leader ? `lock held by ${snapshot.leader.id}` : 'lock free'})`);
  else io.out(acting.map((m) => `${m.instanceId} ${m.url} term ${m.term ?? '-'}`).join('\n'));
  return acting.length > 0 ? EXIT.ok : EXIT.noLeader;
}

export async function switchover({ args, settings, io, json }: Context): Promise<number> {
  const candidate = args.flags.candidate;
  const timeoutMs = integerFlag(args, 'timeout-ms', 30_000);
  return withConsul(settings, async (consul) => {
    const before = await readSnapshot(settings, consul);
    const [current] = actingMembers(before);
    if (!current) throw new CliFailure('no instance acts as leader: nothing to switch over');
    if (candidate !== undefined && !before.members.some((m) => m.instanceId === candidate)) {
      throw new CliFailure(`candidate ${candidate} is unknown: Consul lists ${before.members.map((m) => m.instanceId).join(', ')}`);
    }
    const started = Date.now();
    await requestStepDown(current, candidate, settings.adminToken);
    const deadline = started + timeoutMs;
    let next: MemberRow | undefined;
    while (Date.now() < deadline) {
      await sleep(200);
      next = actingMembers(await readSnapshot(settings, consul)).find((m) => m.instanceId !== current.instanceId);
      if (next) break;
    }
    if (!next) throw new CliFailure(`${current.instanceId} stepped down but no other instance acts as leader after ${timeoutMs} ms`);
    const tookMs = Date.now() - started;
    if (json) io.out(JSON.stringify({ from: pick(current), to: pick(next), candidate: candidate ?? null, tookMs }));
    else io.out(`switched over: ${current.instanceId} -> ${next.instanceId} (term ${next.term ?? '-'}) in ${tookMs} ms`);
    if (candidate !== undefined && next.instanceId !== candidate) throw new CliFailure(`${next.instanceId} took over, not the candidate ${candidate}`);
    return EXIT.ok;
  });
}

export async function watch({ args, settings, io, json }: Context): Promise<number> {
  const intervalMs = integerFlag(args, 'interval-ms', 1_000, 100);
  const count = args.flags.count === undefined ? Infinity : integerFlag(args, 'count', 1);
  return withConsul(settings, async (consul) => {
    for (let n = 0; n < count && !io.signal?.aborted; n++) {
      if (n > 0) await sleep(intervalMs, undefined, { signal: io.signal }).catch(() => undefined);
      if (io.signal?.aborted) break;
      const snapshot = await readSnapshot(settings, consul);
      if (json) io.out(JSON.stringify({ at: new Date().toISOString(), ...snapshot }));
      // cursor home + clear screen: the view is redrawn in place
      else io.out(`${io.interactive ? '\x1b[H\x1b[2J' : ''}${new Date().toISOString()}  every ${intervalMs} ms, Ctrl-C to stop\n${renderSnapshot(snapshot)}`);
    }
    return EXIT.ok;
  });
}

export async function history({ args, settings, io, json }: Context): Promise<number> {
  const limit = integerFlag(args, 'limit', 50);
  const snapshot = await withConsul(settings, (consul) => readSnapshot(settings, consul));
  const perMember = await Promise.all(snapshot.members.map(async (m) => ({ member: m, records: await memberHistory(m.url) })));
  const records = perMember
    .flatMap(({ member, records: r }) => (r ?? []).map((record): TransitionRecord & { instanceId: string } => ({ instanceId: member.instanceId, ...record })))
    .sort((a, b) => a.at.localeCompare(b.at))
    .slice(-limit);
  const unreachable = perMember.filter((p) => p.records === null).map((p) => p.member.instanceId);
  if (json) io.out(JSON.stringify({ transitions: records, unreachable }));
  else {
    const rows = records.map((r) => [r.at, r.instanceId, `${r.from} -> ${r.to}`, r.term ? String(r.term) : '-', r.reason]);
    io.out(rows.length > 0 ? table(['TIME', 'INSTANCE', 'TRANSITION', 'TERM', 'REASON'], rows) : '(no transition recorded)');
    if (unreachable.length > 0) io.out(`no answer from: ${unreachable.join(', ')}`);
  }
  return EXIT.ok;
}

async function requestStepDown(current: MemberRow, candidate: string | undefined, token: string | undefined): Promise<void> {
  const query = candidate !== undefined ? `?candidate=${encodeURIComponent(candidate)}` : '';
  let response: Response;
  try {
    response = await fetch(`${current.url}/rest/admin/ha/step-down${query}`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
  } catch (error) {
    throw new CliFailure(`cannot reach the leader ${current.instanceId} at ${current.url}: ${(error as Error).message}`);
  }
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { message?: unknown };
  const reason = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
  throw new CliFailure(`step-down refused by ${current.instanceId} (${response.status}): ${reason.split('\n')[0]}`);
}

function pick(m: MemberRow): Pick<MemberRow, 'instanceId' | 'url' | 'term'> {
  return { instanceId: m.instanceId, url: m.url, term: m.term };
}

export type { ClusterSnapshot };
