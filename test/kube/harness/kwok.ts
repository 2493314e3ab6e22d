import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';
import { freePort } from '../../../src/temporal/dev-server.ts';
import { spawnLogged, type LoggedProcess } from './proc.ts';

/** Nodes carrying this annotation are simulated by KWOK; any other node is left alone. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

/** Programs that the simulated containers "have" (tcpdump, sysdig): first on the PATH of every exec. */
const containerBin = fileURLToPath(new URL('../container-bin/', import.meta.url));

/**
 * What the simulated kubelet serves for exec and logs: every container's exec runs as a local
 * process (the container's filesystem is this machine's); every container's log is
 * {@link kubeletLogFile} except the container named `quiet`, whose log is empty.
 */
export function kubeletLogFile(dir: string): string {
  return join(dir, 'kubelet', 'container.log');
}

/** Lines of every container's log: `log line 1` … `log line 50`. */
export const KUBELET_LOG_LINES = Array.from({ length: 50 }, (_, i) => `log line ${i + 1}`);

/**
 * KWOK's "fast" stages, changed where the flows under test need a real kubelet's timing, plus the
 * kubelet-side configuration (ClusterExec, ClusterLogs).
 */
function kwokConfig(stagesFile: string, dir: string): string {
  const docs = parseAllDocuments(readFileSync(stagesFile, 'utf8')).map(
    (doc) => doc.toJS() as { kind?: string; metadata?: { name?: string }; spec?: Record<string, unknown> },
  );
  for (const doc of docs) {
    // A Job's pod runs `sleep 60` (sysdig's capture Job): it completes a minute after it started,
    // not at once, so an exec into it finds it running.
    if (doc.metadata?.name === 'pod-complete' && doc.spec) doc.spec.delay = { durationMilliseconds: 60_000 };
  }
  const logs = join(dir, 'kubelet');
  mkdirSync(logs, { recursive: true });
  // The CRI log format that kubelets read: `<RFC3339Nano time> <stream> <F(ull)|P(artial)> <text>`.
  const cri = KUBELET_LOG_LINES.map((line, i) => `2026-01-01T00:00:${String(i).padStart(2, '0')}.000000000Z stdout F ${line}\n`);
  writeFileSync(kubeletLogFile(dir), cri.join(''));
  writeFileSync(join(logs, 'quiet.log'), '');
  const extra = [
    {
      // Ephemeral containers (pods/ephemeralcontainers) start running once added, as a kubelet
      // would start them. The time is the pod's own, so a repeated patch changes nothing.
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Stage',
      metadata: { name: 'pod-ephemeral-containers-running' },
      spec: {
        resourceRef: { apiGroup: 'v1', kind: 'Pod' },
        selector: {
          matchExpressions: [
            { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' },
            { key: '.status.phase', operator: 'In', values: ['Running'] },
            { key: '.spec.ephemeralContainers.[].name', operator: 'Exists' },
          ],
        },
        next: {
          statusTemplate: [
            '{{ $started := .metadata.creationTimestamp }}',
            'ephemeralContainerStatuses:',
            '{{ range .spec.ephemeralContainers }}',
            '- image: {{ .image | Quote }}',
            '  name: {{ .name | Quote }}',
            '  ready: false',
            '  restartCount: 0',
            '  state:',
            '    running:',
            '      startedAt: {{ $started | Quote }}',
            '{{ end }}',
          ].join('\n'),
        },
      },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'local' },
      spec: { execs: [{ local: { workDir: logs } }] },
    },
    {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterLogs',
      metadata: { name: 'files' },
      spec: {
        logs: [{ containers: ['quiet'], logsFile: join(logs, 'quiet.log') }, { logsFile: kubeletLogFile(dir) }],
      },
    },
  ];
  return [...docs, ...extra].map((doc) => stringify(doc)).join('---\n');
}

/**
 * Starts KWOK as the kubelet of every node annotated {@link KWOK_NODE_ANNOTATION}: it marks such
 * nodes Ready, runs their pods (status Running with a pod IP), completes graceful deletion and
 * serves the kubelet API (exec, logs) on 127.0.0.1:<port>, the address written into the nodes'
 * status, so the API server's pods/exec and pods/log reach it.
 * The Stage config (`stages.yaml`, written next to the binary by provision-kube.sh) is KWOK's own
 * "fast" set; without one the binary refuses to start.
 */
export async function startKwok(bin: string, kubeconfigPath: string, dir: string): Promise<LoggedProcess> {
  const stages = process.env.KWOK_STAGES || join(dirname(bin), 'stages.yaml');
  if (!existsSync(stages)) {
    throw new Error(`KWOK stage config not found at ${stages} — run \`bash scripts/provision-kube.sh\` or set KWOK_STAGES`);
  }
  const config = join(dir, 'kwok.yaml');
  writeFileSync(config, kwokConfig(stages, dir));
  for (const tool of ['tcpdump', 'sysdig']) chmodSync(join(containerBin, tool), 0o755);
  const port = await freePort();
  const args = [
    `--kubeconfig=${kubeconfigPath}`,
    `--config=${config}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    // Pod and node IPs stay on loopback: the API server dials the node IP for exec and logs, and
    // nothing must leave this machine.
    '--cidr=127.16.0.0/16',
    '--node-ip=127.0.0.1',
    `--node-port=${port}`,
    `--server-address=127.0.0.1:${port}`,
  ];
  const env = { ...process.env, PATH: `${containerBin}:${process.env.PATH ?? ''}` };
  const proc = spawnLogged('kwok', bin, args, join(dir, 'kwok.log'), env);
  // A bad flag or config makes KWOK exit at once; anything later surfaces as a node that never
  // becomes Ready (createFakeNode times out with a clear message).
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (proc.child.exitCode !== null) throw new Error(`kwok exited (${proc.child.exitCode}); log ${proc.logFile}:\n${proc.tail()}`);
  return proc;
}
