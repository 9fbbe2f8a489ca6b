import { join } from 'node:path';
import { HA_DEFAULTS } from '../../libs/ha/src/config/ha-defaults.js';
import { HA_KEYS } from '../../libs/ha/src/config/ha-config-fields.js';
import { readHaKeyComments, type HaKeyComment } from './ha-key-comments.js';
import { longestBlockingReadMs } from '../../libs/ha/src/config/ha-timings.js';
import { defaultTimings, seconds, timingFigures } from './timing-figures.js';

const HA_CONFIG_SOURCE = join('libs', 'ha', 'src', 'config', 'ha-config.ts');

/** The keys in HA_FIELDS order, each with its comment: a key without one is an error (readHaKeyComments). */
export function haKeys(repoRoot: string): HaKeyComment[] {
  const comments = new Map(readHaKeyComments(join(repoRoot, HA_CONFIG_SOURCE)).map((c) => [c.key, c]));
  return HA_KEYS.map((key) => {
    const comment = comments.get(key);
    if (!comment) throw new Error(`HaConfig has no member ${key}, which HA_FIELDS lists`);
    return comment;
  });
}

/** `{fig:NAME}` in a comment's text: the figure of that name (timing-figures.ts). */
function withFigures(text: string): string {
  const figures = timingFigures();
  return text.replace(/\{fig:(\w+)\}/g, (_, name: string) => {
    const figure = figures[name];
    if (figure === undefined) throw new Error(`unknown figure {fig:${name}}`);
    return figure.replace(/ s$/, '');
  });
}

/** The default column: HA_DEFAULTS' value, what @defaultValue says (with that value when there is one), or "—". */
export function defaultCell(comment: HaKeyComment): string {
  const value = (HA_DEFAULTS as Readonly<Record<string, unknown>>)[comment.key];
  const shown = value === undefined ? undefined : String(value);
  if (comment.defaultValue) return shown === undefined ? withFigures(comment.defaultValue) : `${withFigures(comment.defaultValue)} (${shown})`;
  return shown ?? '—';
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function keyTable(keys: readonly HaKeyComment[], prefix: string): string {
  const rows = keys.map((k) => `| \`${prefix}${k.key}\` | ${cell(defaultCell(k))} | ${cell(withFigures(k.text))} |`);
  return ['| key | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** What the elector derives from each timing key with the defaults (docs/operations.md §3). */
function defaultTimingsTable(repoRoot: string): string {
  const t = defaultTimings();
  const d = (key: string) => defaultCell(haKeys(repoRoot).find((k) => k.key === key)!);
  const rows: [string, string][] = [
    ['healthCheckPeriodInSecond', `Consul runs the HTTP check every ${seconds(t.healthCheckIntervalMs)}; after a step-down to a candidate the others stand back ${seconds(t.handoverWindowMs)} (two periods, at least 3 s)`],
    ['consulSessionTTLInSecond', `renew every ${seconds(t.renewIntervalMs)} (TTL/3); a failed renew retried every ${seconds(t.renewRetryMs)}; **renew deadline ${seconds(t.renewDeadlineMs)}** (TTL − longest Consul call − drain − close, at most 9/10 TTL)`],
    ['leaderLeaseInSecond', `the leader acts for ${seconds(t.leaseMs)} after each proof; proves every ${seconds(t.proveIntervalMs)} (lease/3), retries a failed proof every ${seconds(t.proveRetryMs)}; a successor acting by time alone waits lease + ${seconds(t.takeoverMarginMs)} (lease/10, at least 250 ms)`],
    ['consulConnectTimeoutInMillis', `every non-blocking Consul call bounded by ${seconds(t.requestTimeoutMs)} (this key, capped at lease/2)`],
    ['consulQueryTimeoutInMin', `blocking reads wait ${seconds(t.blockingWaitMs)}; Consul may answer as late as ${seconds(longestBlockingReadMs(t.blockingWaitMs))} (wait + wait/16 + 5 s)`],
    ['consulReadTimeoutInMillis', `a blocking read is given up after ${seconds(t.blockingReadTimeoutMs)}`],
    ['consulLockDelayInSecond', `lock-delay ${seconds(t.lockDelayMs)}, sent as a string (\`"0s"\`: a numeric 0 would leave Consul's 15 s)`],
    ['lockAcquisitionDelayInSecond', `retry pace after Consul errors or a failed activation: ${seconds(t.retryDelayMs)}`],
    ['activationTimeoutInSecond', `the full graph must be up within ${seconds(t.activationTimeoutMs)}, else the lock is released`],
    ['drainTimeoutInMillis', `in-flight requests get ${seconds(t.drainTimeoutMs)} on a handover`],
    ['closeTimeoutInMillis', `closing the full graph may take ${seconds(t.closeTimeoutMs)}; past it the process exits with code 3`],
    ['stepDownHoldOffInSecond', `a leader that stepped down stays out ${seconds(t.stepDownHoldOffMs)}`],
  ];
  return ['| key | default | derived with the defaults |', '|---|---|---|', ...rows.map(([key, derived]) => `| \`${key}\` | ${cell(d(key))} | ${derived} |`)].join('\n');
}

/** Every generated block the docs may contain, by name. */
export function generatedBlocks(repoRoot: string): Readonly<Record<string, () => string>> {
  const keys = () => haKeys(repoRoot);
  return {
    'ha-keys': () => keyTable(keys(), 'ha.'),
    'ha-keys-unprefixed': () => keyTable(keys(), ''),
    'a4c-original-keys': () => keyTable(keys().filter((k) => k.origin === 'a4c'), 'ha.'),
    'added-keys': () => keyTable(keys().filter((k) => k.origin !== 'a4c'), 'ha.'),
    'default-timings': () => defaultTimingsTable(repoRoot),
  };
}
