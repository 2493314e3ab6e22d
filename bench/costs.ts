import { cpuMsOf } from './processes.ts';
import { scrapePersistence, writesPerAlert, type WritesPerAlert } from './server-writes.ts';

// What a span of a phase cost, per alert (or run): CPU of this process and of the Temporal server,
// and the server's database requests. Shared by the latency phases and Temporal's floor.

export interface CostsPerRun {
  readonly processCpuMs: number;
  readonly serverCpuMs: number;
  /** Undefined without the server's metrics. */
  readonly database?: WritesPerAlert;
}

export interface ServerProbes {
  /** The Temporal server's process, for its CPU. */
  readonly serverPid?: number;
  /** The Temporal server's Prometheus metrics, for its database requests. */
  readonly serverMetricsUrl?: string;
}

/** Notes the counters now; `perRun(n)` divides what they moved since by `n`. */
export async function startCostMeter(probes: ServerProbes): Promise<{ perRun(runs: number): Promise<CostsPerRun> }> {
  const cpuBefore = process.cpuUsage();
  const serverBefore = cpuMsOf(probes.serverPid);
  const persistenceBefore = await scrapePersistence(probes.serverMetricsUrl);
  return {
    async perRun(runs) {
      const cpu = process.cpuUsage(cpuBefore);
      const serverCpuMs = (cpuMsOf(probes.serverPid) - serverBefore) / runs;
      const persistenceAfter = await scrapePersistence(probes.serverMetricsUrl);
      return {
        processCpuMs: (cpu.user + cpu.system) / 1000 / runs,
        serverCpuMs,
        database: persistenceBefore && persistenceAfter ? writesPerAlert(persistenceBefore, persistenceAfter, runs) : undefined,
      };
    },
  };
}
