import type { ContextSpec } from '../../src/contract/index.ts';

/** `additional_contexts: [k8snode]` (reference §5.3): it reads the event's pod, then its node. */
export const k8snodeSpec: ContextSpec = {
  name: 'k8snode',
  description: "Labels and provider ID of the node the event's pod runs on; absent values are left out",
  permissions: { kubernetes: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get'] }] },
  keys: ['node.hostname', 'node.instancetype', 'node.role', 'node.topology.region', 'node.topology.zone', 'node.spec.providerid'],
};
