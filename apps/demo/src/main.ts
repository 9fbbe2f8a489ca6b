// `npm run demo`: a local HA cluster on one machine (consul-dev, the test Elasticsearch node, N servers,
// HAProxy when installed) with a live status view and keys to kill, step down and restart.
import 'reflect-metadata';
import { Cleanup } from '../../../bench/harness/cleanup.js';
import { LocalCluster } from '../../../bench/harness/local-cluster.js';
import { haproxyInstalled } from '../../../bench/harness/tagged-haproxy.js';
import { Traffic } from '../../../bench/harness/traffic.js';
import { startElasticsearchNode } from '../../../test/support/elasticsearch-node.js';
import { killAllSpawned } from '../../../test/support/spawned-process.js';
import { DemoActions } from './demo-actions.js';
import { parseDemoArgs, type DemoOptions } from './demo-options.js';
import { StatusPoller } from './status-poller.js';
import { renderStatus } from './status-view.js';
import { TerminalScreen } from './terminal-screen.js';

const say = (text: string) => process.stderr.write(`demo: ${text}\n`);

async function startCluster(options: DemoOptions, cleanup: Cleanup): Promise<{ cluster: LocalCluster; endpoints: string[] }> {
  const endpoints: string[] = [];
  let elasticsearchUrl: string | undefined;
  if (!options.embeddedStore) {
    say('starting Elasticsearch 8.19 (tools/elasticsearch; the first start builds it with Maven)...');
    const es = await startElasticsearchNode();
    cleanup.onDispose(() => es.dispose());
    elasticsearchUrl = es.url;
    endpoints.push(`Elasticsearch ${es.url} (pid ${es.pid})`);
  }
  const haproxy = haproxyInstalled();
  say(`starting consul-dev${haproxy ? ', HAProxy' : ''} and ${options.instances} servers...`);
  const cluster = await LocalCluster.start(
    { repoRoot: process.cwd(), size: options.instances, healthCheckPeriodInSecond: options.healthCheckPeriodInSecond, elasticsearchUrl, haproxy, extraHaConfig: ['lockAcquisitionDelayInSecond: 5'] },
    cleanup,
  );
  endpoints.unshift(`consul-dev ${cluster.consul.url} (pid ${cluster.consul.process.pid}), healthCheckPeriodInSecond ${options.healthCheckPeriodInSecond}`);
  endpoints.push(cluster.haproxy ? `HAProxy ${cluster.haproxy.url} (pid ${cluster.haproxy.pid}) -> leader probe /rest/admin/ha/leader` : 'HAProxy not installed: traffic goes straight to the leader the status routes report');
  await cluster.startAll((i) => say(`${i.id} up on port ${i.port}`));
  return { cluster, endpoints };
}

async function run(options: DemoOptions, cleanup: Cleanup, screen: TerminalScreen): Promise<void> {
  const { cluster, endpoints } = await startCluster(options, cleanup);
  // the poller, the traffic and the actions refer to each other: the poller is filled in last
  const ref: { poller?: StatusPoller } = {};
  const leaderUrl = () => cluster.instances.find((i) => i.id === ref.poller?.leader()?.id)?.url;
  const traffic = new Traffic({ target: cluster.haproxy?.url ?? leaderUrl, intervalMs: 50 });
  const actions = new DemoActions(cluster, traffic, () => ref.poller!);
  const poller = new StatusPoller(cluster.instances, actions.phaseOf);
  ref.poller = poller;
  await poller.pollOnce();
  poller.start();
  await cluster.waitForLeader(60_000); // user traffic from the moment someone can answer it
  traffic.start();
  cleanup.onDispose(async () => {
    poller.stop();
    await traffic.stop();
  });
  const quit = new Promise<void>((resolve) => {
    screen.open((key) => {
      if (key === 'q' || key === '\x03') return resolve();
      if (key === 'k') void actions.leaderDown('SIGKILL');
      else if (key === 't') void actions.leaderDown('SIGTERM');
      else if (key === 's') void actions.leaderDown('step-down');
      else if (key === 'r') void actions.restartDead();
      else if (/^[1-9]$/.test(key)) void actions.toggle(Number(key));
    });
  });
  const frame = setInterval(() => {
    const now = Date.now();
    const recent = traffic.since(now - 2_000).filter((s) => s.doneAtMs > now - 1_000 && s.doneAtMs <= now);
    const ok = (s: { status: number }) => s.status >= 200 && s.status < 300;
    const totals = traffic.totals();
    screen.draw(
      renderStatus({
        nowMs: now,
        endpoints,
        instances: poller.current(),
        leader: poller.leader(),
        traffic: { okPerSecond: recent.filter(ok).length, failedPerSecond: recent.filter((s) => !ok(s)).length, okTotal: totals.ok, failedTotal: totals.failed, via: cluster.haproxy ? 'through HAProxy' : 'straight to the leader' },
        lastFailover: actions.lastFailover(),
        events: actions.events(),
        message: actions.message,
      }),
    );
  }, 250);
  cleanup.onDispose(async () => clearInterval(frame));
  await quit;
}

const cleanup = new Cleanup();
const screen = new TerminalScreen();
cleanup.onDispose(() => killAllSpawned()); // anything spawned but not handed to the cluster yet
// the screen is closed before anything is stopped, so the shell sees what happens next
cleanup.installSignalHandlers(() => {
  screen.close();
  say('stopping every process of the demo...');
});
let options: DemoOptions;
try {
  options = parseDemoArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(2);
}
run(options, cleanup, screen)
  .then(async () => {
    screen.close();
    say('stopping every process of the demo...');
    await cleanup.dispose();
    say('stopped: every process of the demo has ended, temporary directories removed');
    process.exit(0); // keep-alive sockets of fetch must not hold the shell for their idle timeout
  })
  .catch(async (error: unknown) => {
    screen.close();
    say(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    await cleanup.dispose();
    process.exitCode = 1;
  });
