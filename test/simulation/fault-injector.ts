import type { Fault } from './fault-schedule.js';
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
    case 'step-down': {
      const holder = instances.find((i) => !i.process.crashed && i.process.running && ['leader', 'activating'].includes(i.elector.current.kind));
      holder?.elector.stepDown();
      return;
    }
  }
}
