import type { Command } from './cli-args.js';

const COMMON = `Where Consul and the admin token come from (as the server reads them):
  --config FILE          the server's config file (default config/alien4cloud-config.yml when present)
  A4C_ha__<key>=value    environment overrides, e.g. A4C_ha__consulAgentPort=8500
  --ha.<key>=value       command-line overrides, e.g. --ha.consulAgentPort=8500
  --consul URL           the Consul agent, e.g. http://127.0.0.1:8500 (wins over the above)
  --token TOKEN          the admin token (default ha.adminToken)
  --format table|json    output format (default table)
  --help                 this help
  --version              the version of a4c-ha`;

const EXITS = `Exit codes: 0 done; 1 Consul or an instance unreachable, a request refused, a switchover not
completed; 2 bad command line or configuration; 3 (leader) no instance acts as leader.`;

const COMMAND_HELP: Record<Command, string> = {
  list: `a4c-ha list [options]
  Every instance registered in Consul: instance, url, role, acting, term, Consul health, and how long
  ago it last proved it holds the lock.`,
  leader: `a4c-ha leader [options]
  The instance that acts as leader now (answers 200 on its leader probe). Exits 3 when none does.`,
  switchover: `a4c-ha switchover [--candidate ID] [--timeout-ms N] [options]
  Asks the acting leader to step down (POST /rest/admin/ha/step-down, with the admin token), then waits
  until another instance acts as leader (at most --timeout-ms, default 30000). With --candidate, that
  instance must be a healthy backup; the others stand back for the hand-over.`,
  watch: `a4c-ha watch [--interval-ms N] [--count N] [options]
  The list, redrawn in place every --interval-ms (default 1000) until Ctrl-C, or --count times. With
  --format json: one JSON line per refresh.`,
  history: `a4c-ha history [--limit N] [options]
  Recent election transitions of every instance (GET /rest/admin/ha/history), oldest first; the last
  --limit (default 50).`,
};

export function helpText(command: Command | undefined): string {
  if (command) return `${COMMAND_HELP[command]}\n\n${COMMON}\n\n${EXITS}\n`;
  const commands = Object.values(COMMAND_HELP)
    .map((h) => h.split('\n')[0])
    .join('\n  ');
  return `a4c-ha: operator tool for an a4c-ha cluster (Consul leader election)\n\nCommands:\n  ${commands}\n\nRun a4c-ha <command> --help for details.\n\n${COMMON}\n\n${EXITS}\n`;
}
