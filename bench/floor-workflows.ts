import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';

// The least a workflow can do before its first action: what the Temporal server and SDK cost on
// their own, with no ingest, no rules and no HTTP. bench/floor.ts runs these.

interface Reach {
  reach(id: string): Promise<void>;
}

const local = proxyLocalActivities<Reach>({ startToCloseTimeout: '10s' });
const remote = proxyActivities<Reach>({ startToCloseTimeout: '10s' });

export async function floorLocal(id: string): Promise<void> {
  await local.reach(id);
}

export async function floorActivity(id: string): Promise<void> {
  await remote.reach(id);
}
