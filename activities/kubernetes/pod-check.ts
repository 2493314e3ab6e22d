import type { FalcoEvent } from '../../src/contract/index.ts';
import type { Deps } from '../types.ts';
import { getEventPod } from './client.ts';

/** The reference's "pod exists" check (§1.4), shared by the actionners that act on the event's pod. */
export async function eventPodExists(input: { readonly event: FalcoEvent }, deps: Deps): Promise<void> {
  await getEventPod(await deps.clients.kubernetes(), input.event);
}
