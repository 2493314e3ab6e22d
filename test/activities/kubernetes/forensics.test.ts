import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { kubernetesDownload } from '../../../activities/kubernetes/download.ts';
import { stableName } from '../../../activities/kubernetes/ephemeral.ts';
import { kubernetesExec } from '../../../activities/kubernetes/exec.ts';
import { kubernetesLog } from '../../../activities/kubernetes/log.ts';
import { kubernetesScript } from '../../../activities/kubernetes/script.ts';
import { containerFilter, JOB_TTL_SECONDS, kubernetesSysdig } from '../../../activities/kubernetes/sysdig.ts';
import { kubernetesTcpdump } from '../../../activities/kubernetes/tcpdump.ts';
import type { ActionnerImplementation, ActionResult, Artifact, Deps } from '../../../activities/types.ts';
import type { FalcoEvent } from '../../../src/contract/index.ts';
import { createFakeNode, KUBELET_LOG_LINES, testKube, waitUntil } from '../../support/kube.ts';
import { loadExample } from './k1-support.ts';
import { actionInput, createNamespace, depsFor, failureOf, podEvent, serviceAccountWith, suffix } from './k2-support.ts';

const kube = testKube();
const core = kube.kubeConfig.makeApiClient(CoreV1Api);
const deps = depsFor(kube.kubeconfigPath);
const namespace = `forensics-${suffix()}`;
const node = `kwok-forensics-${suffix()}`;

/** Parameters through the schema, checks, run — with a fixed idempotency key when given. */
async function run<P>(actionner: ActionnerImplementation<P>, raw: unknown, event: FalcoEvent, d: Deps = deps, key?: string): Promise<ActionResult> {
  const input = { ...actionInput(event, actionner.spec.params.parse(raw)), ...(key ? { idempotencyKey: key } : {}) };
  await actionner.checks?.(input, d);
  return actionner.run(input, d);
}

async function bytes(artifact: Artifact | undefined): Promise<Buffer> {
  if (!artifact) throw new Error('no artifact');
  if (Buffer.isBuffer(artifact.body)) return artifact.body;
  const chunks: Buffer[] = [];
  for await (const chunk of artifact.body as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
const text = async (artifact: Artifact | undefined) => (await bytes(artifact)).toString('utf8');

/** A running pod on the KWOK node with these containers (KWOK's kubelet answers exec and logs for it). */
async function runningPod(containers: string[] = ['app']): Promise<string> {
  const name = `pod-${suffix()}`;
  await core.createNamespacedPod({
    namespace,
    body: { metadata: { name }, spec: { nodeName: node, containers: containers.map((c) => ({ name: c, image: 'registry.k8s.io/pause:3.10' })) } },
  });
  await waitUntil(`pod ${name} Running`, async () => (await core.readNamespacedPod({ namespace, name })).status?.phase === 'Running', undefined, 30_000);
  return name;
}

/** A scratch directory the simulated containers can write to (their filesystem is this machine's). */
const scratch = () => mkdtempSync(join(kube.kubeletDir, 'scratch-'));

describe('the forensic actionners on the real API server, KWOK answering as the kubelet', () => {
  beforeAll(async () => {
    await createNamespace(kube.kubeConfig, namespace);
    await createFakeNode(kube.kubeConfig, node);
  });

  it('each is registered and its example loads as a rule', async () => {
    for (const actionner of [kubernetesExec, kubernetesScript, kubernetesLog, kubernetesDownload, kubernetesTcpdump, kubernetesSysdig]) {
      expect(await loadExample(actionner)).toMatchObject({ actionner: actionner.spec.name });
    }
  });

  describe('kubernetes:exec', () => {
    it('runs the command through pods/exec and returns its stdout, ANSI codes stripped', async () => {
      const pod = await runningPod();
      const result = await run(kubernetesExec, { command: 'printf \'\\033[31mred\\033[0m %s\' "$K8S_POD_NAME"' }, podEvent(pod, namespace));
      expect(result).toMatchObject({
        status: 'success',
        result: `the command has been executed in the pod '${pod}' in the namespace '${namespace}'`,
        objects: { pod, namespace },
      });
      expect(await text(result.artifact)).toBe(`red ${pod}`);
    });

    it('passes alert values as data: command substitution and quote breaking in a field never run', async () => {
      const pod = await runningPod();
      const dir = scratch();
      const event = podEvent(pod, namespace);
      const hostile = { 'proc.name': `$(touch ${dir}/pwned)`, 'proc.cmdline': `'; touch ${dir}/pwned2 #`, 'fd.name': `\`touch ${dir}/pwned3\`` };
      const result = await run(
        kubernetesExec,
        { command: 'echo "$PROC_NAME"; echo ${PROC_CMDLINE}; echo $FD_NAME; echo "${FALCO-TALON_RULE}"' },
        { ...event, output_fields: { ...event.output_fields, ...hostile } },
        deps,
      );
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(join(dir, 'pwned2'))).toBe(false);
      expect(existsSync(join(dir, 'pwned3'))).toBe(false);
      expect((await text(result.artifact)).split('\n')).toEqual([hostile['proc.name'], hostile['proc.cmdline'], hostile['fd.name'], '', '']);
    });

    it('runs in every container and reports each; fails only when it failed in all', async () => {
      const pod = await runningPod(['quiet', 'app']);
      const ok = await run(kubernetesExec, { command: 'echo hello' }, podEvent(pod, namespace));
      expect(await text(ok.artifact)).toBe('==> quiet <==\nhello\n\n==> app <==\nhello\n');
      const failure = await failureOf(run(kubernetesExec, { command: 'echo oops >&2; exit 3' }, podEvent(pod, namespace)));
      expect(failure).toMatchObject({ type: 'CommandFailed', nonRetryable: true });
      expect(failure.message).toContain('quiet: oops');
      expect(failure.message).toContain('app: oops');
    });

    it('caps what is kept of a huge output', async () => {
      const pod = await runningPod();
      const result = await run(kubernetesExec, { command: 'head -c 17000000 /dev/zero | tr "\\0" x' }, podEvent(pod, namespace));
      const output = await text(result.artifact);
      expect(output.length).toBeLessThan(16 * 1024 * 1024 + 100);
      expect(output).toMatch(/bytes dropped\)\n$/);
    });
  });

  describe('kubernetes:script', () => {
    it('runs an inline script in the last container only, alert values as shell variables', async () => {
      const pod = await runningPod(['quiet', 'app']);
      const dir = scratch();
      const result = await run(kubernetesScript, { script: `echo "in $K8S_POD_NAME"\necho "$PROC_NAME" > ${dir}/seen\n` }, podEvent(pod, namespace));
      expect(result).toMatchObject({ status: 'success', result: `the script has been executed in the pod '${pod}' in the namespace '${namespace}'` });
      expect(await text(result.artifact)).toBe(`in ${pod}\n`);
      expect(readFileSync(join(dir, 'seen'), 'utf8')).toBe('bash\n');
    });

    it('reads a script file from the worker disk; refuses both or neither, and a missing file', async () => {
      const pod = await runningPod();
      const file = join(scratch(), 'collect.sh');
      writeFileSync(file, 'echo from-file "$1"\n');
      const result = await run(kubernetesScript, { file }, podEvent(pod, namespace));
      expect(await text(result.artifact)).toBe('from-file \n');
      expect(kubernetesScript.spec.params.safeParse({}).success).toBe(false);
      expect(kubernetesScript.spec.params.safeParse({ script: 'x', file }).success).toBe(false);
      expect(kubernetesScript.spec.params.safeParse({ file: '/nonexistent/script.sh' }).success).toBe(false);
    });
  });

  describe('kubernetes:log', () => {
    it('streams the last tail_lines of the first container that has a log', async () => {
      const pod = await runningPod(['quiet', 'app']);
      const result = await run(kubernetesLog, { tail_lines: 5 }, podEvent(pod, namespace));
      expect(result).toMatchObject({ status: 'success', result: `the logs for the pod '${pod}' in the namespace '${namespace}' has been downloaded` });
      expect(result.artifact?.name).toBe('log');
      expect(await text(result.artifact)).toBe(`${KUBELET_LOG_LINES.slice(-5).join('\n')}\n`);
    });

    it('takes 20 lines when tail_lines is 0 (as Talon)', async () => {
      const pod = await runningPod();
      const result = await run(kubernetesLog, { tail_lines: 0 }, podEvent(pod, namespace));
      expect((await text(result.artifact)).trimEnd().split('\n')).toHaveLength(20);
    });

    it('says so when no container has a log', async () => {
      const pod = await runningPod(['quiet']);
      expect(await run(kubernetesLog, {}, podEvent(pod, namespace))).toEqual({
        status: 'success',
        result: `the pod '${pod}' in the namespace '${namespace}' has no logs`,
        objects: { pod, namespace },
      });
    });
  });

  describe('kubernetes:download', () => {
    it('streams the file from the first container that has it; the path may use alert fields', async () => {
      const pod = await runningPod(['quiet', 'app']);
      const file = join(scratch(), 'evidence.bin');
      writeFileSync(file, Buffer.from([0, 1, 2, 255, 10, 13]));
      const event = podEvent(pod, namespace);
      const result = await run(kubernetesDownload, { file: '${FD_NAME}' }, { ...event, output_fields: { ...event.output_fields, 'fd.name': file } });
      expect(result).toMatchObject({ status: 'success', result: `the file '${file}' has been downloaded`, objects: { pod, namespace, file } });
      expect(result.artifact?.name).toBe(file);
      expect(await bytes(result.artifact)).toEqual(Buffer.from([0, 1, 2, 255, 10, 13]));
    });

    it('fails clearly when no container has the file, naming each', async () => {
      const pod = await runningPod(['quiet', 'app']);
      const failure = await failureOf(run(kubernetesDownload, { file: '/nonexistent/secret' }, podEvent(pod, namespace)));
      expect(failure).toMatchObject({ type: 'FileNotFound', nonRetryable: true });
      expect(failure.message).toMatch(
        /^the file '\/nonexistent\/secret' could not be read in any container of the pod .*: quiet: .*No such file.*; app: .*No such file/,
      );
    });
  });

  describe('kubernetes:tcpdump', () => {
    it('adds a privileged ephemeral container, captures for duration, streams the pcap; a retry reuses the container', async () => {
      const pod = await runningPod();
      const key = `wf-${suffix()}/2`;
      const started = Date.now();
      const result = await run(kubernetesTcpdump, { duration: 1, snaplen: 96 }, podEvent(pod, namespace), deps, key);
      const pcap = await bytes(result.artifact);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(result).toMatchObject({ status: 'success', objects: { pod, namespace } });
      expect(result.artifact?.name).toBe('tcpdump.pcap');
      expect(pcap.readUInt32LE(0)).toBe(0xa1b2c3d4);
      expect(pcap.readUInt32LE(16)).toBe(96);
      const ephemeral = (await core.readNamespacedPod({ namespace, name: pod })).spec?.ephemeralContainers ?? [];
      expect(ephemeral).toEqual([
        expect.objectContaining({
          name: expect.stringMatching(/^falco-talon-tcpdump-[0-9a-f]{5}$/),
          image: 'issif/tcpdump:latest',
          targetContainerName: 'app',
        }),
      ]);
      expect(ephemeral[0]?.securityContext).toMatchObject({ privileged: true, runAsUser: 0 });
      await bytes((await run(kubernetesTcpdump, { duration: 1 }, podEvent(pod, namespace), deps, key)).artifact);
      expect((await core.readNamespacedPod({ namespace, name: pod })).spec?.ephemeralContainers).toHaveLength(1);
    });
  });

  describe('kubernetes:sysdig', () => {
    it("runs a capture Job on the pod's node (TTL set) and streams its gzip capture", async () => {
      const pod = await runningPod();
      const result = await run(kubernetesSysdig, { duration: 1, buffer_size: 256, scope: 'node' }, podEvent(pod, namespace));
      const job = String(result.objects.job);
      expect(job).toMatch(/^falco-talon-sysdig-[0-9a-f]{5}$/);
      expect(result.artifact?.name).toBe('sysdig.scap.gz');
      const capture = gunzipSync(await bytes(result.artifact))
        .toString('utf8')
        .split('\n');
      expect(capture).toEqual(expect.arrayContaining(['sysdig capture', '-M', '1', '-s', '256', '--modern-bpf', '-z']));
      const created = await kube.kubeConfig.makeApiClient(BatchV1Api).readNamespacedJob({ namespace, name: job });
      expect(created.spec?.ttlSecondsAfterFinished).toBe(JOB_TTL_SECONDS);
      expect(created.spec?.template.spec?.nodeName).toBe(node);
      expect(created.spec?.template.spec?.containers[0]?.securityContext?.privileged).toBe(true);
    });

    it("scope pod filters on the pod's container IDs, and refuses a pod without any", async () => {
      const pod = { metadata: { name: 'p' }, status: { containerStatuses: [{ containerID: 'containerd://0123456789abcdef', name: 'a' }, { name: 'b' }] } };
      expect(containerFilter(pod as never)).toBe('container.id in (0123456789ab)');
      const bare = await runningPod();
      expect(await failureOf(run(kubernetesSysdig, { duration: 1 }, podEvent(bare, namespace)))).toMatchObject({ type: 'NoContainerID' });
    });
  });

  it('a long exec heartbeats, and cancelling the activity closes the exec at once and reports a cancellation', async () => {
    const pod = await runningPod();
    const dir = scratch();
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const started = Date.now();
    const running = env.run(() => run(kubernetesExec, { command: `sleep 4; touch ${dir}/finished` }, podEvent(pod, namespace)));
    await waitUntil('a heartbeat', () => Promise.resolve(heartbeats.length > 0), undefined, 5_000, 50);
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(heartbeats[0]).toBe('command in app');
  });

  it('a cancelled sysdig capture deletes its Job at once', async () => {
    const pod = await runningPod();
    const env = new MockActivityEnvironment();
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const key = `wf-${suffix()}/5`;
    const running = env.run(() => run(kubernetesSysdig, { duration: 20, scope: 'node' }, podEvent(pod, namespace), deps, key));
    await waitUntil('the capture running', () => Promise.resolve(heartbeats.includes('capturing syscalls')), undefined, 30_000, 50);
    const jobs = kube.kubeConfig.makeApiClient(BatchV1Api);
    const name = stableName('falco-talon-sysdig', key);
    expect((await jobs.readNamespacedJob({ namespace, name })).metadata?.deletionTimestamp).toBeUndefined();
    env.cancel();
    await expect(running).rejects.toBeInstanceOf(CancelledFailure);
    await waitUntil(
      `Job ${name} deleted`,
      async () => !(await jobs.listNamespacedJob({ namespace })).items.some((j) => j.metadata?.name === name && !j.metadata.deletionTimestamp),
      undefined,
      10_000,
    );
  });

  it('each runs as a service account holding exactly the permissions its spec declares', async () => {
    const pod = await runningPod();
    const file = join(scratch(), 'f.txt');
    writeFileSync(file, 'data');
    const cases: [ActionnerImplementation<never>, unknown][] = [
      [kubernetesExec as ActionnerImplementation<never>, { command: 'echo ok' }],
      [kubernetesScript as ActionnerImplementation<never>, { script: 'echo ok' }],
      [kubernetesLog as ActionnerImplementation<never>, {}],
      [kubernetesDownload as ActionnerImplementation<never>, { file }],
      [kubernetesTcpdump as ActionnerImplementation<never>, { duration: 1 }],
      [kubernetesSysdig as ActionnerImplementation<never>, { duration: 1, scope: 'node' }],
    ];
    for (const [actionner, raw] of cases) {
      const sa = depsFor(await serviceAccountWith(kube, namespace, actionner.spec.permissions));
      const result = await run(actionner, raw, podEvent(pod, namespace), sa);
      expect((await bytes(result.artifact)).length, actionner.spec.name).toBeGreaterThan(0);
    }
  });
});
