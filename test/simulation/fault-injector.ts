import { latestEnd, LEADER_WAIT_MS, type Fault } from './fault-schedule.js';
import type { SimInstance, SimWorld } from './sim-instance.js';

/** Starts a fault now and schedules its end (docs/architecture.md § Deterministic simulation). */
export function applyFault(world: SimWorld, instances: SimInstance[], fault: Fault): void {
  const { scheduler, servers, network } = world;
  const later = (ms: number, step: () => void) => scheduler.after(ms, step);
  const target = 'target' in fault ? world.instance(fault.target) : undefined;
  switch (fault.kind) {
    case 'crash':
      if (!target || target.process.crashed) return;
      target.crash();
      return void later(fault.durationMs, () => target.restart());
    case 'freeze': {
      if (!target || !target.process.running) return;
      const process = target.process;
      process.freeze();
      return void later(fault.durationMs, () => process.thaw());
    }
    case 'agent-cut':
      target?.agent.cut(fault.detectMs);
      return void later(fault.durationMs, () => target?.agent.restore(fault.rejoinMs));
    case 'agent-kill':
      target?.agent.kill(fault.detectMs);
      return void later(fault.durationMs, () => target?.agent.restore(fault.rejoinMs, fault.keepState));
    case 'agent-leave':
      target?.agent.leave();
      return void later(fault.durationMs, () => target?.agent.restore(fault.rejoinMs, false));
    case 'leader-cut-with-others':
      return cutLeaderWithOthers(world, instances, fault, world.scheduler.now + LEADER_WAIT_MS);
    case 'quorum-loss':
      servers.loseQuorum();
      return void later(fault.durationMs, () => servers.regainQuorum());
    case 'total-outage':
      for (const instance of instances) instance.agent.kill(world.timings.healthCheckIntervalMs * 5);
      for (const back of fault.returns) later(back.afterMs, () => world.instance(back.target)?.agent.restore(fault.rejoinMs));
      return;
    case 'link-cut':
      network.cut(fault.a, fault.b);
      return void later(fault.durationMs, () => network.heal(fault.a, fault.b));
    case 'link-slow':
      network.slow(fault.a, fault.b, fault.extraMs);
      return void later(fault.durationMs, () => network.slow(fault.a, fault.b, 0));
    case 'health-down':
      if (!target) return;
      target.healthUp = false;
      return void later(fault.durationMs, () => (target.healthUp = true));
    case 'step-down':
      holderOf(instances)?.elector.stepDown();
      return;
  }
}

/** How often a fault aimed at a settled leader looks for one. */
const LEADER_LOOK_MS = 250;

/**
 * Cuts off the agent of a leader whose members list is written (it has led for 1.5 check periods: its
 * members keeper writes within one) and the agents of `others` more instances, each for its own time. It
 * waits for such a leader, looking every LEADER_LOOK_MS until `deadline`: aimed at a term that can use
 * rule 13's failsafe, not at a cluster still electing its first leader.
 */
function cutLeaderWithOthers(world: SimWorld, instances: SimInstance[], fault: Extract<Fault, { kind: 'leader-cut-with-others' }>, deadline: number): void {
  const { scheduler, timings } = world;
  const settled = scheduler.now - timings.healthCheckIntervalMs * 1.5;
  const leader = instances.find((i) => i.process.running && i.leaderSince !== null && i.leaderSince <= settled);
  if (!leader) {
    if (scheduler.now + LEADER_LOOK_MS <= deadline) scheduler.after(LEADER_LOOK_MS, () => cutLeaderWithOthers(world, instances, fault, deadline));
    return;
  }
  const rest = instances.filter((i) => i !== leader);
  const picked = fault.others.flatMap((o) => (rest.length > 0 ? [{ instance: rest.splice(o.pick % rest.length, 1)[0]!, durationMs: o.durationMs }] : []));
  const cut = [{ instance: leader, durationMs: fault.durationMs }, ...picked];
  world.trace(`FAULT agents cut off: ${cut.map((c) => `${c.instance.id} for ${(c.durationMs / 1000).toFixed(3)}s`).join(', ')} (${leader.id} leads)`);
  for (const { instance, durationMs } of cut) {
    instance.agent.cut(fault.detectMs);
    scheduler.after(durationMs, () => instance.agent.restore(fault.rejoinMs));
  }
  world.faultEndsAt(scheduler.now + latestEnd(fault));
}

/** The running instance that holds the lock now (leader or activating), if any. */
function holderOf(instances: SimInstance[]): SimInstance | undefined {
  return instances.find((i) => !i.process.crashed && i.process.running && ['leader', 'activating'].includes(i.elector.current.kind));
}
