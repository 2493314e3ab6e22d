import type { V1Node } from '@kubernetes/client-node';
import type { TalonContext } from '../../src/contract/index.ts';
import type { ContextImplementation } from '../types.ts';
import { getEventNode } from './client.ts';
import { k8snodeSpec } from './node-context.spec.ts';

/** First non-empty label among `keys`: the well-known label, then its deprecated beta name. */
function label(node: V1Node, ...keys: string[]): string | undefined {
  const labels = node.metadata?.labels ?? {};
  return keys.map((key) => labels[key]).find((value) => value !== undefined && value !== '');
}

/** `kubernetes.io/role`, else the roles of `node-role.kubernetes.io/<role>` labels (what kubeadm sets), comma-joined. */
function role(node: V1Node): string | undefined {
  const legacy = label(node, 'kubernetes.io/role');
  if (legacy) return legacy;
  const prefix = 'node-role.kubernetes.io/';
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((key) => key.startsWith(prefix) && key.length > prefix.length)
    .map((key) => key.slice(prefix.length))
    .sort();
  return roles.length > 0 ? roles.join(',') : undefined;
}

/** The keys of reference §5.3; absent values are left out (a template reads them as ""). */
export function nodeContext(node: V1Node): TalonContext {
  const entries: [string, string | undefined][] = [
    ['node.hostname', label(node, 'kubernetes.io/hostname') ?? node.metadata?.name],
    ['node.instancetype', label(node, 'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type')],
    ['node.role', role(node)],
    ['node.topology.region', label(node, 'topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region')],
    ['node.topology.zone', label(node, 'topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone')],
    ['node.spec.providerid', node.spec?.providerID],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

/** `k8snode` (reference §5.3): labels and provider ID of the node the event's pod runs on. */
export const k8snodeContext: ContextImplementation = {
  spec: k8snodeSpec,
  async fetch(input, deps) {
    return nodeContext(await getEventNode(await deps.clients.kubernetes(), input.event));
  },
};
