import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { awsContext, regionOfZone } from '../../../activities/aws/context.ts';
import { awsContextSpec } from '../../../activities/aws/context.spec.ts';
import { createClients } from '../../../activities/clients.ts';
import { withAdditionalContexts } from '../../../activities/contexts.ts';
import type { Deps } from '../../../activities/types.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { silentLogger } from '../../../src/log.ts';
import { ec2Error, FakeAws } from '../../support/cloud-fakes.ts';
import { testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, createNode, failureOf, podEvent, serviceAccountWith, suffix } from '../kubernetes/k2-support.ts';

// The `aws` context with a real kube-apiserver (pod → node → providerID) and the real
// @aws-sdk/client-ec2 against a loopback EC2 that verifies every SigV4 signature.

const ACCESS_KEY = 'AKIATALONSTATIC00002';
const SECRET_KEY = 'ec2/secret+key';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/falco-talon-describer';
const PROFILE = { arn: 'arn:aws:iam::123456789012:instance-profile/eks-workers', id: 'AIPAEXAMPLEPROFILE01' };

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const namespace = `awsctx-${suffix()}`;
let aws: FakeAws;

function depsFor(kubeconfig: string, awsOverrides: Record<string, unknown> = {}): Deps {
  // The configured region differs from the nodes' on purpose: the node's zone must win.
  const config = configSchema.parse({
    kubeconfig,
    aws: { region: 'eu-west-3', access_key: ACCESS_KEY, secret_key: SECRET_KEY, endpoint: aws.url, ...awsOverrides },
  });
  return { config, log: silentLogger, clients: createClients(config) };
}

const instanceId = () =>
  `i-0${Buffer.from(suffix() + suffix())
    .toString('hex')
    .slice(0, 16)}`;

/** A node with `providerID` and a pod scheduled on it; returns the pod's name. */
async function podOnNode(providerID?: string): Promise<string> {
  const node = `awsctx-${suffix()}`;
  await createNode(kube.kubeConfig, node, {}, providerID);
  const name = `pod-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { nodeName: node, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
  });
  return name;
}

const input = (pod: string) => actionInput(podEvent(pod, namespace), {});

beforeAll(async () => {
  aws = await new FakeAws(ACCESS_KEY, SECRET_KEY).start();
  await createNamespace(kube.kubeConfig, namespace);
});
afterAll(async () => aws.stop());
afterEach(() => {
  expect(aws.rejected).toEqual([]); // every request the SDK made carried a valid SigV4 signature
});

describe('regionOfZone', () => {
  it('strips the zone letter, and maps Local, Wavelength and GovCloud zones to their region', () => {
    expect(regionOfZone('us-east-1a')).toBe('us-east-1');
    expect(regionOfZone('eu-central-2b')).toBe('eu-central-2');
    expect(regionOfZone('us-west-2-lax-1a')).toBe('us-west-2');
    expect(regionOfZone('us-east-1-wl1-bos-wlz-1')).toBe('us-east-1');
    expect(regionOfZone('us-gov-west-1a')).toBe('us-gov-west-1');
    expect(regionOfZone('cn-north-1b')).toBe('cn-north-1');
    expect(regionOfZone('mars-1')).toBeUndefined();
    expect(regionOfZone('')).toBeUndefined();
  });
});

describe('aws additional context', () => {
  it('is found under its reference name: its spec in the spec registry, its implementation loaded by name (fresh module graph)', async () => {
    vi.resetModules();
    const specs = await import('../../../activities/specs.ts');
    const spec = specs.findContext('aws');
    expect(spec?.name).toBe('aws');
    expect(spec?.keys).toEqual(['aws.region', 'aws.instance_profile_arn', 'aws.instance_profile_id']);
    expect(spec?.permissions).toEqual({ kubernetes: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get'] }], iam: ['ec2:DescribeInstances'] });
    const implementations = await import('../../../activities/implementations.ts');
    const implementation = await implementations.contextImplementations.aws!();
    expect(typeof implementation.fetch).toBe('function');
    expect(implementation.spec).toEqual(spec);
  });

  it("describes the EC2 instance of the event's node, in the node's region, merged into the Talon context", async () => {
    const id = instanceId();
    aws.addInstance('us-east-1', id, PROFILE);
    const pod = await podOnNode(`aws:///us-east-1a/${id}`);
    const context = await withAdditionalContexts(['aws'], { ...input(pod), context: { 'falco-talon.rule': 'r' } }, depsFor(kube.kubeconfigPath));
    expect(context).toEqual({
      'falco-talon.rule': 'r',
      'aws.instance_profile_arn': PROFILE.arn,
      'aws.instance_profile_id': PROFILE.id,
      'aws.region': 'us-east-1',
    });
    expect(aws.describeInstances.at(-1)).toEqual({ instanceIds: [id], accessKey: ACCESS_KEY, region: 'us-east-1' });
  });

  it('combines with k8snode', async () => {
    const id = instanceId();
    aws.addInstance('eu-west-1', id, PROFILE);
    const pod = await podOnNode(`aws:///eu-west-1b/${id}`);
    const context = await withAdditionalContexts(['k8snode', 'aws'], input(pod), depsFor(kube.kubeconfigPath));
    expect(context).toMatchObject({ 'node.spec.providerid': `aws:///eu-west-1b/${id}`, 'aws.region': 'eu-west-1', 'aws.instance_profile_id': PROFILE.id });
  });

  it('takes the parent region of a Local Zone', async () => {
    const id = instanceId();
    aws.addInstance('us-west-2', id, PROFILE);
    const context = await awsContext.fetch(input(await podOnNode(`aws:///us-west-2-lax-1a/${id}`)), depsFor(kube.kubeconfigPath));
    expect(context['aws.region']).toBe('us-west-2');
    expect(aws.describeInstances.at(-1)).toMatchObject({ instanceIds: [id], region: 'us-west-2' });
  });

  it('falls back to the configured region for a provider ID without a zone', async () => {
    const id = instanceId();
    aws.addInstance('eu-west-3', id, PROFILE);
    const context = await awsContext.fetch(input(await podOnNode(`aws:////${id}`)), depsFor(kube.kubeconfigPath));
    expect(context).toMatchObject({ 'aws.region': 'eu-west-3', 'aws.instance_profile_arn': PROFILE.arn });
  });

  it('leaves the profile keys out for an instance without an instance profile', async () => {
    const id = instanceId();
    aws.addInstance('ap-southeast-2', id);
    const context = await awsContext.fetch(input(await podOnNode(`aws:///ap-southeast-2c/${id}`)), depsFor(kube.kubeconfigPath));
    expect(context).toEqual({ 'aws.region': 'ap-southeast-2' });
  });

  it('fails permanently, without calling EC2, for a node that is not an EC2 instance', async () => {
    const calls = aws.describeInstances.length;
    const deps = depsFor(kube.kubeconfigPath);
    const gce = await failureOf(awsContext.fetch(input(await podOnNode('gce://project/us-central1-b/vm-1')), deps));
    expect(gce).toMatchObject({ type: 'NotAnAwsNode', nonRetryable: true });
    expect(gce.message).toContain("the provider ID 'gce://project/us-central1-b/vm-1'");
    const none = await failureOf(awsContext.fetch(input(await podOnNode(undefined)), deps));
    expect(none).toMatchObject({ type: 'NotAnAwsNode', nonRetryable: true });
    expect(none.message).toContain('has no provider ID');
    const fargate = await failureOf(awsContext.fetch(input(await podOnNode('aws:///us-east-1a/0123abcd/fargate-ip-10-0-0-1.ec2.internal')), deps));
    expect(fargate).toMatchObject({ type: 'NotAnAwsNode', nonRetryable: true });
    expect(aws.describeInstances.length).toBe(calls);
  });

  it('fails permanently for a missing pod, an unscheduled pod, a missing node and an unknown instance', async () => {
    const deps = depsFor(kube.kubeconfigPath);
    expect(await failureOf(awsContext.fetch(input('ghost'), deps))).toMatchObject({ type: 'PodNotFound', nonRetryable: true });
    const unscheduled = `pod-${suffix()}`;
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: unscheduled }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    });
    expect(await failureOf(awsContext.fetch(input(unscheduled), deps))).toMatchObject({ type: 'PodNotScheduled', nonRetryable: true });
    const orphan = `pod-${suffix()}`;
    await core.createNamespacedPod({
      namespace,
      body: { metadata: { name: orphan }, spec: { nodeName: `gone-${suffix()}`, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    });
    expect(await failureOf(awsContext.fetch(input(orphan), deps))).toMatchObject({ type: 'NodeNotFound', nonRetryable: true });
    const unknown = await failureOf(awsContext.fetch(input(await podOnNode('aws:///us-east-1a/i-0deadbeefdeadbeef')), deps));
    expect(unknown).toMatchObject({ type: 'InstanceNotFound', nonRetryable: true });
    expect(unknown.message).toContain("'i-0deadbeefdeadbeef'");
  });

  it('classifies EC2 errors: 5xx and throttling retryable, denied access permanent and naming the IAM action', async () => {
    const id = instanceId();
    aws.addInstance('us-east-2', id, PROFILE);
    const pod = await podOnNode(`aws:///us-east-2a/${id}`);
    const deps = depsFor(kube.kubeconfigPath);
    aws.failNext('DescribeInstances', ec2Error(503, 'Unavailable', 'The server is overloaded'));
    expect(await failureOf(awsContext.fetch(input(pod), deps))).toMatchObject({ type: 'Unavailable', nonRetryable: false });
    aws.failNext('DescribeInstances', ec2Error(503, 'RequestLimitExceeded', 'Request limit exceeded.'));
    expect(await failureOf(awsContext.fetch(input(pod), deps))).toMatchObject({ type: 'RequestLimitExceeded', nonRetryable: false });
    aws.failNext('DescribeInstances', ec2Error(403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.'));
    const denied = await failureOf(awsContext.fetch(input(pod), deps));
    expect(denied).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(denied.message).toContain("'ec2:DescribeInstances'");
    // The next attempt, as Temporal would retry it, succeeds.
    expect(await awsContext.fetch(input(pod), deps)).toMatchObject({ 'aws.region': 'us-east-2' });
  });

  it('assumes role_arn first, then describes with the issued credentials', async () => {
    const id = instanceId();
    aws.addInstance('ca-central-1', id, PROFILE);
    const pod = await podOnNode(`aws:///ca-central-1d/${id}`);
    const context = await awsContext.fetch(input(pod), depsFor(kube.kubeconfigPath, { role_arn: ROLE_ARN, external_id: 'ext-1' }));
    expect(context).toMatchObject({ 'aws.instance_profile_arn': PROFILE.arn });
    const assumed = aws.assumeRoles.at(-1);
    expect(assumed).toMatchObject({ roleArn: ROLE_ARN, externalId: 'ext-1', accessKey: ACCESS_KEY });
    expect(aws.describeInstances.at(-1)).toEqual({ instanceIds: [id], accessKey: assumed?.issuedKey, region: 'ca-central-1' });
  });

  it('works with exactly the declared Kubernetes permissions; without nodes get it is Forbidden', async () => {
    const id = instanceId();
    aws.addInstance('us-east-1', id, PROFILE);
    const pod = await podOnNode(`aws:///us-east-1f/${id}`);
    const full = await serviceAccountWith(kube, namespace, awsContextSpec.permissions);
    expect(await awsContext.fetch(input(pod), depsFor(full))).toEqual({
      'aws.instance_profile_arn': PROFILE.arn,
      'aws.instance_profile_id': PROFILE.id,
      'aws.region': 'us-east-1',
    });
    const podsOnly = await serviceAccountWith(kube, namespace, { kubernetes: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] });
    const failure = await failureOf(awsContext.fetch(input(pod), depsFor(podsOnly)));
    expect(failure).toMatchObject({ type: 'Forbidden', nonRetryable: true });
    expect(failure.message).toContain("missing RBAC permission 'get' on 'nodes'");
  });
});
