import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';

// No settings: the events go to the cluster of the worker's `kubeconfig`.
const config = z.object({}).strict();

export type K8sEventsConfig = z.infer<typeof config>;

/** `k8sevents` (reference §8.2): a core/v1 Event about the pod (node, deleted object), in its namespace. */
export const k8seventsSpec: NotifierSpec<K8sEventsConfig> = {
  name: 'k8sevents',
  description: 'Record the report as a Kubernetes Event on the pod (kubectl describe pod shows it)',
  config,
  rerun: 'Creates the Event again: delivery is at least once.',
  permissions: {
    kubernetes: [
      // list: the uid of a pod that is already gone, from earlier events about it.
      { apiGroups: [''], resources: ['events'], verbs: ['create', 'list'] },
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get'] },
    ],
  },
  example: `notifiers:
  k8sevents: {}
`,
};
