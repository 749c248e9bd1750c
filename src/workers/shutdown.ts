import type { WorkerLog } from "./start-workers.js";

/**
 * SIGTERM/SIGINT: stop taking jobs and let the running ones finish (their results are stored,
 * nothing is lost). A second signal exits at once; the interrupted jobs' locks then expire and
 * another worker takes them over.
 */
export function closeOnSignals(close: () => Promise<void>, log: WorkerLog): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log(`${signal} again: exiting without waiting for running jobs`);
      process.exit(1);
    }
    signalled = true;
    log(`${signal}: finishing running jobs, then exiting`);
    void close();
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}
