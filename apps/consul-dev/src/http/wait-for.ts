// Waits for a condition that some event source can change (agent links, quorum), with a deadline and
// the request's abort signal: resolves when `done()` holds, `ms` elapses, or the client goes away.
export type Subscribe = (wake: () => void) => () => void;

export function waitFor(subscribe: Subscribe, done: () => boolean, ms: number, signal: AbortSignal): Promise<void> {
  if (done() || signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const timer = setTimeout(finish, ms);
    const unsubscribe = subscribe(() => {
      if (done()) finish();
    });
    signal.addEventListener('abort', finish, { once: true });
  });
}
