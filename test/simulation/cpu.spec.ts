import { it } from '@jest/globals';
import { runSimulation } from './simulation.js';
import { silenceNestLogger } from './sim-graph.js';

it('cpu', async () => {
  silenceNestLogger();
  await runSimulation({ seed: 99, profile: 'short' });
  const cpu = process.cpuUsage();
  let steps = 0; let terms = 0; let v = 0;
  for (let seed = 1; seed <= 200; seed++) { const r = await runSimulation({ seed, profile: 'short' }); steps += r.steps; terms += r.terms; v += r.violations.length; }
  const used = process.cpuUsage(cpu);
  process.stdout.write(`200 seeds: cpu ${((used.user + used.system) / 1000).toFixed(0)} ms, ${steps} steps, ${terms} terms, ${v} violations\n`);
}, 600_000);
