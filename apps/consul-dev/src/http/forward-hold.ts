// How long a call that needs the servers is held, and how it ends, while the agent is cut off from them
// (§12 P4, P7) or the servers have no leader (P22). Shared by the request pipeline (forwarded routes
// fail with the text) and by the agent's synchronous catalog sync after a local change (P3: the
// failure is only logged, the local call still answers 200, late).
import type { ApiContext } from './api-context.js';
import { waitFor } from './wait-for.js';

/** P22: what a client agent answers once the servers' hold ends without a leader. */
export const NO_CLUSTER_LEADER = 'rpc error making call: No cluster leader';

/** Holds like an RPC from this agent to the servers; resolves to the error it ends with, or null once the link is back (P18). */
export async function linkHold(ctx: ApiContext): Promise<string | null> {
  const failure = ctx.agent.beginForward();
  if (failure === null) return null;
  await waitFor((wake) => ctx.agent.watch(wake), () => ctx.agent.forwardFailure() === null, failure.holdMs, ctx.signal);
  return ctx.agent.forwardFailure() === null ? null : failure.text;
}

/** Holds like a call waiting for a Raft leader (rpc_hold_timeout); resolves to the error, or null once a leader is back. */
export async function quorumHold(ctx: ApiContext): Promise<string | null> {
  const loss = ctx.cluster.quorumLoss;
  if (loss === null) return null;
  await waitFor((wake) => ctx.cluster.watchQuorum(wake), () => ctx.cluster.hasLeader, loss.holdMs, ctx.signal);
  return ctx.cluster.hasLeader ? null : NO_CLUSTER_LEADER;
}
