import { CustomObjectsApi } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { calicoNetworkPolicy } from '../../../activities/calico/networkpolicy.ts';
import { ciliumNetworkPolicy } from '../../../activities/cilium/networkpolicy.ts';
import type { ActionnerImplementation } from '../../../activities/types.ts';
import type { FalcoEvent } from '../../../src/contract/index.ts';
import { CALICO_CRD, ciliumCrdPath, installCrds } from '../../kube/harness/crds.ts';
import { createOwnedPod, testKube } from '../../support/kube.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from '../kubernetes/k2-support.ts';

// Calico's and Cilium's policies on the real API server: their CRDs served (Cilium's own, from its
// Go module; a stand-in for Calico's v3 API), the objects read back and compared.

const kube = testKube();
const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `cnp-${suffix()}`;
const MANAGED = { 'app.k8s.io/managed-by': 'falco-talon' };

function connection(pod: string, ip: string): FalcoEvent {
  const event = podEvent(pod, namespace);
  return { ...event, output_fields: { ...event.output_fields, 'fd.rip': ip, 'fd.sip': '10.0.0.5' } };
}

async function run<P>(actionner: ActionnerImplementation<P>, event: FalcoEvent, raw: unknown = {}, d = deps) {
  const input = actionInput(event, actionner.spec.params.parse(raw));
  await actionner.checks?.(input, d);
  return actionner.run(input, d);
}

const calico = (name: string) => custom.getNamespacedCustomObject({ group: 'projectcalico.org', version: 'v3', namespace, plural: 'networkpolicies', name });
const cilium = (name: string) => custom.getNamespacedCustomObject({ group: 'cilium.io', version: 'v2', namespace, plural: 'ciliumnetworkpolicies', name });

beforeAll(async () => {
  await installCrds(kube.kubeConfig, [CALICO_CRD, ciliumCrdPath()]);
  await createNamespace(kube.kubeConfig, namespace);
});

describe('calico:networkpolicy on a real API server', () => {
  it("denies the remote IP to the Deployment's pods and allows the allow lists, in a policy named after the Deployment", async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'web', labels: { tier: 'front' } });
    const pod = owned.pod.metadata?.name ?? '';
    const result = await run(calicoNetworkPolicy, connection(pod, '203.0.113.7'), { order: 10, allow_cidr: ['10.0.0.0/8'], allow_namespaces: ['kube-system'] });
    expect(result).toEqual({
      status: 'success',
      result: `the caliconetworkpolicy 'web' in the namespace '${namespace}' has been created`,
      objects: { pod, namespace },
    });
    const policy = await calico('web');
    expect(policy.metadata.labels).toEqual({ app: 'web', ...MANAGED });
    expect(policy.spec).toEqual({
      selector: "app == 'web'",
      order: 10,
      types: ['Egress'],
      egress: [
        { action: 'Deny', destination: { nets: ['203.0.113.7/32'] } },
        { action: 'Allow', destination: { nets: ['10.0.0.0/8'] } },
        { action: 'Allow', destination: { namespaceSelector: "kubernetes.io/metadata.name in {'kube-system'}" } },
      ],
    });
  });

  it('a second alert adds its IP to the denied ones, each once; a retry changes nothing; IPv6 gets /128', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'StatefulSet', { namespace, name: 'db' });
    const pod = owned.pod.metadata?.name ?? '';
    await run(calicoNetworkPolicy, connection(pod, '198.51.100.1'));
    expect((await run(calicoNetworkPolicy, connection(pod, '2001:db8::9'))).result).toContain('has been updated');
    await run(calicoNetworkPolicy, connection(pod, '2001:db8::9'));
    const policy = await calico('db');
    expect(policy.spec.egress).toEqual([
      { action: 'Deny', destination: { nets: ['198.51.100.1/32', '2001:db8::9/128'] } },
      { action: 'Allow', destination: { nets: ['0.0.0.0/0', '::/0'] } },
    ]);
  });

  it("needs the event's remote IP: missing or not an IP fails permanently before anything is written", async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'noip' });
    const pod = owned.pod.metadata?.name ?? '';
    expect(await failureOf(run(calicoNetworkPolicy, podEvent(pod, namespace)))).toMatchObject({
      type: 'MissingRemoteIp',
      message: 'missing IP field(s) (fd.sip or fd.rip)',
    });
    expect(await failureOf(run(calicoNetworkPolicy, connection(pod, 'not-an-ip')))).toMatchObject({ type: 'WrongRemoteIp', message: 'wrong value for fd.rip' });
    expect(
      await calico('noip').then(
        () => 200,
        (error: { code?: number }) => error.code,
      ),
    ).toBe(404);
  });

  it('never replaces a policy it does not manage', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'handmade' });
    await custom.createNamespacedCustomObject({
      group: 'projectcalico.org',
      version: 'v3',
      namespace,
      plural: 'networkpolicies',
      body: { apiVersion: 'projectcalico.org/v3', kind: 'NetworkPolicy', metadata: { name: 'handmade' }, spec: { selector: 'all()' } },
    });
    const failure = await failureOf(run(calicoNetworkPolicy, connection(owned.pod.metadata?.name ?? '', '203.0.113.8')));
    expect(failure).toMatchObject({ type: 'NetworkPolicyNotManaged', nonRetryable: true });
    expect((await calico('handmade')).spec).toEqual({ selector: 'all()' });
  });

  it('works with exactly its declared permissions', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'least' });
    const sa = await serviceAccountWith(kube, namespace, calicoNetworkPolicy.spec.permissions);
    expect((await run(calicoNetworkPolicy, connection(owned.pod.metadata?.name ?? '', '203.0.113.9'), {}, depsFor(sa))).status).toBe('success');
  });
});

describe('cilium:networkpolicy on a real API server', () => {
  it("denies the remote IP to the workload's endpoints and allows the allow lists, accepted by Cilium's own CRD schema", async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'api', labels: { tier: 'back' } });
    const pod = owned.pod.metadata?.name ?? '';
    const result = await run(ciliumNetworkPolicy, connection(pod, '203.0.113.7'), { allow_cidr: ['10.0.0.0/8'], allow_namespaces: ['kube-system', 'dns'] });
    expect(result).toEqual({
      status: 'success',
      result: `the ciliumnetworkpolicy 'api' in the namespace '${namespace}' has been created`,
      objects: { pod, namespace },
    });
    const policy = await cilium('api');
    expect(policy.metadata.labels).toEqual({ app: 'api', ...MANAGED });
    expect(policy.spec).toEqual({
      description: 'Network policy created by Falco Talon',
      endpointSelector: { matchLabels: { app: 'api' } },
      egressDeny: [{ toCIDR: ['203.0.113.7/32'] }],
      egress: [
        { toCIDR: ['10.0.0.0/8'] },
        { toEndpoints: [{ matchExpressions: [{ key: 'k8s:io.kubernetes.pod.namespace', operator: 'In', values: ['kube-system', 'dns'] }] }] },
      ],
    });
  });

  it('a second alert adds its IP to the denied ones instead of appending duplicate rules; a retry changes nothing', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'DaemonSet', { namespace, name: 'agent' });
    const pod = owned.pod.metadata?.name ?? '';
    await run(ciliumNetworkPolicy, connection(pod, '198.51.100.1'));
    await run(ciliumNetworkPolicy, connection(pod, '198.51.100.2'));
    await run(ciliumNetworkPolicy, connection(pod, '198.51.100.2'));
    const policy = await cilium('agent');
    expect(policy.spec.egressDeny).toEqual([{ toCIDR: ['198.51.100.1/32', '198.51.100.2/32'] }]);
    expect(policy.spec.egress).toEqual([{ toCIDR: ['0.0.0.0/0', '::/0'] }]);
  });

  it('works with exactly its declared permissions', async () => {
    const owned = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'least-cilium' });
    const sa = await serviceAccountWith(kube, namespace, ciliumNetworkPolicy.spec.permissions);
    expect((await run(ciliumNetworkPolicy, connection(owned.pod.metadata?.name ?? '', '203.0.113.9'), {}, depsFor(sa))).status).toBe('success');
  });
});
