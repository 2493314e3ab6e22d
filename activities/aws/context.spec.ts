import type { ContextSpec } from '../../src/contract/index.ts';

/**
 * `additional_contexts: [aws]` (reference §5.3): the region and instance profile of the EC2 instance
 * the event's pod runs on. Fetching it needs the event's pod and its node, then the node's instance.
 */
export const awsContextSpec: ContextSpec = {
  name: 'aws',
  description: "The region and instance profile of the EC2 instance running the event's pod (from its node's provider ID)",
  permissions: {
    kubernetes: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get'] }],
    iam: ['ec2:DescribeInstances'],
  },
  // The profile keys are left out for an instance without an instance profile.
  keys: ['aws.region', 'aws.instance_profile_arn', 'aws.instance_profile_id'],
};
