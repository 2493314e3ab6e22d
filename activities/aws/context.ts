import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import type { TalonContext } from '../../src/contract/index.ts';
import { permanent } from '../errors.ts';
import { getEventNode } from '../kubernetes/client.ts';
import type { ActionInput, ContextImplementation, Deps } from '../types.ts';
import { awsFailure } from './client.ts';
import { awsContextSpec } from './context.spec.ts';

/**
 * The region of an availability zone: `us-east-1a` → `us-east-1`, Local and Wavelength Zones
 * (`us-west-2-lax-1a`, `us-east-1-wl1-bos-wlz-1`) → their parent region, `us-gov-west-1a` →
 * `us-gov-west-1`. Undefined when the zone does not look like an AWS zone.
 */
export function regionOfZone(zone: string): string | undefined {
  return /^([a-z]{2}(?:-[a-z]+)+-\d+)(?:[a-z]+$|-)/.exec(zone)?.[1];
}

/**
 * Instance ID and region from a node's `spec.providerID` as the AWS cloud provider sets it:
 * `aws:///<zone>/<instance-id>`. An empty zone (`aws:////i-…`, old kops) falls back to the
 * configured `aws.region`.
 */
export function ec2InstanceOf(providerID: string | undefined, fallbackRegion: string | undefined, nodeName: string): { instanceId: string; region: string } {
  const match = /^aws:\/\/\/([^/]*)\/(i-[0-9a-f]+)$/.exec(providerID ?? '');
  if (!match) {
    const what = providerID ? `the provider ID '${providerID}'` : 'no provider ID';
    throw permanent('NotAnAwsNode', `the node '${nodeName}' has ${what}, not 'aws:///<zone>/<instance-id>': it is not an EC2 instance`);
  }
  const [, zone = '', instanceId = ''] = match;
  const region = zone === '' ? fallbackRegion : regionOfZone(zone);
  if (!region) throw permanent('NotAnAwsNode', `cannot tell the region of the node '${nodeName}' from its provider ID '${providerID ?? ''}'`);
  return { instanceId, region };
}

/**
 * `aws` (reference §5.3) for the node the event's pod runs on, where the reference read the EC2
 * metadata of the host running Talon: `aws.region` and, when the instance has one, its instance
 * profile (`aws.instance_profile_arn`, `aws.instance_profile_id`; left out otherwise).
 */
async function fetchAwsContext(input: ActionInput<unknown>, deps: Deps): Promise<TalonContext> {
  const node = await getEventNode(await deps.clients.kubernetes(), input.event);
  const name = node.metadata?.name ?? '';
  const { instanceId, region } = ec2InstanceOf(node.spec?.providerID, deps.config.aws.region, name);
  const notFound = () => permanent('InstanceNotFound', `the EC2 instance '${instanceId}' of the node '${name}' does not exist in '${region}'`);
  let profile: { Arn?: string; Id?: string } | undefined;
  try {
    const reply = await (await deps.clients.ec2(region)).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = reply.Reservations?.[0]?.Instances?.[0];
    if (!instance) throw notFound();
    profile = instance.IamInstanceProfile;
  } catch (error) {
    // EC2 answers an unknown or malformed ID with a 400, not a 404.
    if (error instanceof Error && /^InvalidInstanceID\./.test(error.name)) throw notFound();
    throw awsFailure(error, { what: `ec2:DescribeInstances of '${instanceId}' in '${region}'`, iamAction: 'ec2:DescribeInstances', notFound });
  }
  const entries: [string, string | undefined][] = [
    ['aws.instance_profile_arn', profile?.Arn],
    ['aws.instance_profile_id', profile?.Id],
    ['aws.region', region],
  ];
  return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

export const awsContext: ContextImplementation = { spec: awsContextSpec, fetch: fetchAwsContext };
