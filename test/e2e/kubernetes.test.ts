import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { listen, type RunningServer } from '../../src/roles/ingest-server.ts';
import type { RuleSet } from '../../src/rules/index.ts';
import type { PlaybookReport } from '../../src/contract/index.ts';
import { CALICO_CRD, ciliumCrdPath, installCrds } from '../kube/harness/crds.ts';
import { createFakeNode, createOwnedPod, KUBELET_LOG_LINES, testKube, waitUntil } from '../support/kube.ts';
import { rulesFromYaml, startTestWorker, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

// The whole path on real servers: falcosidekick-shaped POST → Hono ingest → Temporal workflow →
// Kubernetes actionners against kube-apiserver (KWOK runs the pod) → k8sevents notifications.

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const networking = kube.kubeConfig.makeApiClient(NetworkingV1Api);
const namespace = `e2e-${randomBytes(3).toString('hex')}`;
const node = `kwok-${namespace}`;

let client: Client;
let worker: TestWorker;
let server: RunningServer;
let ruleSet: RuleSet;
/** Where local:file stores the forensic artifacts. */
const evidence = mkdtempSync(join(tmpdir(), 'talon-evidence-'));

const RULES = `
- action: Label the pod as quarantined
  actionner: kubernetes:label
  parameters:
    labels:
      falco.org/quarantine: "true"

- action: Isolate the pod
  actionner: kubernetes:networkpolicy
  parameters:
    allow_cidr: ["10.0.0.0/8"]
    allow_namespaces: ["monitoring"]

- action: Terminate the pod
  actionner: kubernetes:terminate
  parameters:
    grace_period_seconds: 0

- rule: Terminal shell in container
  match:
    rules: [Terminal shell in container]
    output_fields:
      - k8s.ns.name!=kube-system
  notifiers: [k8sevents]
  actions:
    - action: Label the pod as quarantined
    - action: Isolate the pod
    - action: Terminate the pod

- rule: Outbound connection to a suspicious address
  match:
    rules: [Unexpected outbound connection destination]
  actions:
    - action: Deny the address (Calico)
      actionner: calico:networkpolicy
      parameters: { allow_namespaces: [kube-system] }
    - action: Deny the address (Cilium)
      actionner: cilium:networkpolicy

- rule: Collect the evidence
  match:
    rules: [Read sensitive file untrusted]
  actions:
    - action: Record the command line
      actionner: kubernetes:exec
      parameters: { command: 'echo "$PROC_CMDLINE"' }
      output: { target: local:file, parameters: { destination: \${EVIDENCE_DIR} } }
    - action: Mark the pod as seen
      actionner: kubernetes:script
      parameters: { script: 'touch "$EVIDENCE_MARK/$K8S_POD_NAME"' }
    - action: Get logs of the pod
      actionner: kubernetes:log
      parameters: { tail_lines: 3 }
      output: { target: local:file, parameters: { destination: \${EVIDENCE_DIR} } }
    - action: Get the file
      actionner: kubernetes:download
      parameters: { file: '\${FD_NAME}' }
      output: { target: local:file, parameters: { destination: \${EVIDENCE_DIR} } }
    - action: Capture the packets
      actionner: kubernetes:tcpdump
      continue: true
      parameters: { duration: 1, snaplen: 128 }
      output: { target: local:file, parameters: { destination: \${EVIDENCE_DIR} } }
    - action: Capture the syscalls
      actionner: kubernetes:sysdig
      parameters: { duration: 1, scope: node }
      output: { target: local:file, parameters: { destination: \${EVIDENCE_DIR} } }
`;

beforeAll(async () => {
  await installCrds(kube.kubeConfig, [CALICO_CRD, ciliumCrdPath()]);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await createFakeNode(kube.kubeConfig, node);
  const config = testConfig({ kubeconfig: kube.kubeconfigPath });
  client = await testClient();
  worker = await startTestWorker(config);
  ruleSet = await rulesFromYaml(RULES.replaceAll('${EVIDENCE_DIR}', evidence));
  const app = createApp({
    rules: () => ruleSet,
    starter: temporalStarter(client, worker.taskQueue),
    metrics: new Metrics(),
    log: silentLogger,
    dedupWindowSeconds: 0,
  });
  server = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close();
  await worker?.stop();
  await client?.connection.close();
});

/** What falcosidekick's `talon` output posts for a Falco alert on a pod. */
function falcosidekickAlert(pod: string) {
  return {
    uuid: randomBytes(16).toString('hex'),
    output: `12:00:00.000000000: Notice A shell was spawned in a container with an attached terminal (user=root ${namespace}/${pod} shell=bash)`,
    priority: 'Notice',
    rule: 'Terminal shell in container',
    time: new Date().toISOString(),
    source: 'syscall',
    hostname: node,
    tags: ['container', 'shell', 'mitre_execution'],
    output_fields: {
      'container.id': 'a1b2c3d4e5f6',
      'evt.time': 1_700_000_000_000_000_000,
      'k8s.ns.name': namespace,
      'k8s.pod.name': pod,
      'proc.cmdline': 'bash',
      'user.name': 'root',
    },
  };
}

/** Records every state the pod goes through, so labels set before its deletion can be asserted. */
async function watchPod(name: string): Promise<{ seen: { type: string; pod: V1Pod }[]; stop: () => void }> {
  const seen: { type: string; pod: V1Pod }[] = [];
  const request = await new Watch(kube.kubeConfig).watch(
    `/api/v1/namespaces/${namespace}/pods`,
    { fieldSelector: `metadata.name=${name}` },
    (type: string, pod: V1Pod) => seen.push({ type, pod }),
    () => undefined,
  );
  return { seen, stop: () => request.abort() };
}

describe('end to end: a Falco alert for a pod', () => {
  it('labels and isolates the pod, terminates it, records Kubernetes events and search attributes', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'web', nodeName: node, labels: { app: 'web' } });
    const podName = pod.metadata?.name ?? '';
    const podUid = pod.metadata?.uid ?? '';
    await waitUntil(
      `pod ${podName} Running`,
      async () => (await core.readNamespacedPod({ namespace, name: podName })).status?.phase === 'Running',
      undefined,
      30_000,
    );
    const watch = await watchPod(podName);

    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(falcosidekickAlert(podName)),
    });
    expect(response.status).toBe(200);
    const accepted = (await response.json()) as { status: string; workflowId: string };
    expect(accepted.status).toBe('started');
    const handle = client.workflow.getHandle(accepted.workflowId);
    const report = (await handle.result()) as PlaybookReport;

    expect(report.outcome).toBe('succeeded');
    expect(report.rules[0]?.actions.map((a) => [a.actionner, a.status])).toEqual([
      ['kubernetes:label', 'success'],
      ['kubernetes:networkpolicy', 'success'],
      ['kubernetes:terminate', 'success'],
    ]);

    // Labelled before it was deleted (the watch saw it), then deleted.
    await waitUntil('pod deleted', async () => watch.seen.some((e) => e.type === 'DELETED'), undefined, 30_000);
    watch.stop();
    expect(watch.seen.some((e) => e.type === 'MODIFIED' && e.pod.metadata?.labels?.['falco.org/quarantine'] === 'true')).toBe(true);
    await expect(core.readNamespacedPod({ namespace, name: podName })).rejects.toMatchObject({ code: 404 });

    // The isolation policy selects the workload's pods and allows only the listed egress.
    const policies = await networking.listNamespacedNetworkPolicy({ namespace });
    expect(policies.items).toHaveLength(1);
    const policy = policies.items[0];
    expect(policy?.spec?.podSelector?.matchLabels).toMatchObject({ app: 'web' });
    expect(policy?.spec?.podSelector?.matchLabels).not.toHaveProperty('pod-template-hash');
    expect(policy?.spec?.policyTypes).toEqual(['Egress']);
    expect(policy?.spec?.egress).toEqual([
      expect.objectContaining({
        to: expect.arrayContaining([
          expect.objectContaining({ ipBlock: expect.objectContaining({ cidr: '10.0.0.0/8' }) }),
          expect.objectContaining({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }),
        ]),
      }),
    ]);

    // One k8sevents notification per action, on the pod itself (its uid), as `kubectl describe pod` shows.
    await waitUntil(
      'three events on the pod',
      async () => (await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${podUid}` })).items.length >= 3,
      undefined,
      30_000,
    );
    const events = await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.uid=${podUid}` });
    expect(events.items.map((e) => e.reason).sort()).toEqual([
      'falco-talon:action:kubernetes:label:success',
      'falco-talon:action:kubernetes:networkpolicy:success',
      'falco-talon:action:kubernetes:terminate:success',
    ]);
    expect(events.items.every((e) => e.involvedObject.kind === 'Pod' && e.involvedObject.name === podName)).toBe(true);

    const description = await handle.describe();
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    expect(attributes).toMatchObject({ K8sNamespace: namespace, K8sPod: podName, TalonOutcome: 'succeeded' });
  });
});

describe('end to end: a Falco alert for an outbound connection', () => {
  it('denies the remote address to the workload with Calico and Cilium policies, read back from the API server', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'fetcher', nodeName: node });
    const podName = pod.metadata?.name ?? '';
    const alert = {
      output: `12:00:00.000000000: Notice Disallowed outbound connection destination (connection=10.0.0.5:40000->203.0.113.66:4444 ${podName})`,
      priority: 'Notice',
      rule: 'Unexpected outbound connection destination',
      source: 'syscall',
      hostname: node,
      output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': podName, 'fd.sip': '10.0.0.5', 'fd.rip': '203.0.113.66', 'fd.rport': 4444 },
    };
    const response = await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
    const accepted = (await response.json()) as { status: string; workflowId: string };
    expect(accepted.status).toBe('started');
    const report = (await client.workflow.getHandle(accepted.workflowId).result()) as PlaybookReport;
    expect(report.rules[0]?.actions.map((a) => [a.actionner, a.status, a.result])).toEqual([
      ['calico:networkpolicy', 'success', `the caliconetworkpolicy 'fetcher' in the namespace '${namespace}' has been created`],
      ['cilium:networkpolicy', 'success', `the ciliumnetworkpolicy 'fetcher' in the namespace '${namespace}' has been created`],
    ]);
    const custom = kube.kubeConfig.makeApiClient(CustomObjectsApi);
    const calico = await custom.getNamespacedCustomObject({ group: 'projectcalico.org', version: 'v3', namespace, plural: 'networkpolicies', name: 'fetcher' });
    expect(calico.spec.selector).toBe("app == 'fetcher'");
    expect(calico.spec.egress[0]).toEqual({ action: 'Deny', destination: { nets: ['203.0.113.66/32'] } });
    const cilium = await custom.getNamespacedCustomObject({ group: 'cilium.io', version: 'v2', namespace, plural: 'ciliumnetworkpolicies', name: 'fetcher' });
    expect(cilium.spec.endpointSelector).toEqual({ matchLabels: { app: 'fetcher' } });
    expect(cilium.spec.egressDeny).toEqual([{ toCIDR: ['203.0.113.66/32'] }]);
  });
});

describe('end to end: a Falco alert for a file read, answered with the forensic actionners', () => {
  it('runs a command and a script in the pod, collects its log, a file, a pcap and a sysdig capture to local:file', async () => {
    const { pod } = await createOwnedPod(kube.kubeConfig, 'Deployment', { namespace, name: 'reader', nodeName: node });
    const podName = pod.metadata?.name ?? '';
    await waitUntil(
      `pod ${podName} Running`,
      async () => (await core.readNamespacedPod({ namespace, name: podName })).status?.phase === 'Running',
      undefined,
      30_000,
    );
    // KWOK runs the pod's exec as local processes: the "container's" file and marks are on this machine.
    const marks = mkdtempSync(join(kube.kubeletDir, 'marks-'));
    const secret = join(marks, 'shadow');
    writeFileSync(secret, 'root:*:19000:0:99999:7:::\n');
    const cmdline = `cat ${secret} $(touch ${marks}/pwned)`;
    const alert = {
      output: `12:00:00.000000000: Warning Sensitive file opened for reading by non-trusted program (file=${secret} ${podName})`,
      priority: 'Warning',
      rule: 'Read sensitive file untrusted',
      source: 'syscall',
      hostname: node,
      output_fields: { 'k8s.ns.name': namespace, 'k8s.pod.name': podName, 'fd.name': secret, 'proc.cmdline': cmdline, 'evidence.mark': marks },
    };
    const response = await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alert) });
    const accepted = (await response.json()) as { status: string; workflowId: string };
    expect(accepted.status).toBe('started');
    const report = (await client.workflow.getHandle(accepted.workflowId).result()) as PlaybookReport;
    const actions = report.rules[0]?.actions ?? [];
    expect(actions.map((a) => [a.actionner, a.status, a.output?.status])).toEqual([
      ['kubernetes:exec', 'success', 'success'],
      ['kubernetes:script', 'success', undefined],
      ['kubernetes:log', 'success', 'success'],
      ['kubernetes:download', 'success', 'success'],
      ['kubernetes:tcpdump', 'success', 'success'],
      ['kubernetes:sysdig', 'success', 'success'],
    ]);
    const stored = (i: number) => readFileSync(new URL(actions[i]?.output?.artifact?.location ?? ''));
    // The alert's command line reached the shell as data: echoed, never run.
    expect(stored(0).toString()).toBe(`${cmdline}\n`);
    expect(existsSync(join(marks, 'pwned'))).toBe(false);
    expect(existsSync(join(marks, podName))).toBe(true);
    expect(stored(2).toString()).toBe(`${KUBELET_LOG_LINES.slice(-3).join('\n')}\n`);
    expect(stored(3).toString()).toBe('root:*:19000:0:99999:7:::\n');
    expect(stored(4).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(gunzipSync(stored(5)).toString()).toContain('sysdig capture');
    for (const action of actions.filter((a) => a.output)) {
      const location = new URL(action.output?.artifact?.location ?? '');
      expect(location.pathname.startsWith(evidence)).toBe(true);
      expect(action.output?.artifact?.size).toBe(readFileSync(location).length);
    }
  });
});
