import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnLogged, type LoggedProcess } from './proc.ts';

/** Nodes carrying this annotation are simulated by KWOK; any other node is left alone. */
export const KWOK_NODE_ANNOTATION = { key: 'kwok.x-k8s.io/node', value: 'fake' } as const;

/**
 * Starts KWOK as the kubelet of every node annotated {@link KWOK_NODE_ANNOTATION}: it marks such
 * nodes Ready, runs their pods (status Running with a pod IP) and completes graceful deletion.
 * The Stage config (`stages.yaml`, written next to the binary by provision-kube.sh) is KWOK's own
 * "fast" set; without one the binary refuses to start.
 */
export async function startKwok(bin: string, kubeconfigPath: string, dir: string): Promise<LoggedProcess> {
  const stages = process.env.KWOK_STAGES || join(dirname(bin), 'stages.yaml');
  if (!existsSync(stages)) {
    throw new Error(`KWOK stage config not found at ${stages} — run \`bash scripts/provision-kube.sh\` or set KWOK_STAGES`);
  }
  const args = [
    `--kubeconfig=${kubeconfigPath}`,
    `--config=${stages}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION.key}=${KWOK_NODE_ANNOTATION.value}`,
    // Pod and node IPs stay on loopback: they are status only, but if anything ever dials them
    // (logs, exec, a probe), the traffic must not leave this machine.
    '--cidr=127.16.0.0/16',
    '--node-ip=127.0.0.1',
  ];
  const proc = spawnLogged('kwok', bin, args, join(dir, 'kwok.log'));
  // A bad flag or config makes KWOK exit at once; anything later surfaces as a node that never
  // becomes Ready (createFakeNode times out with a clear message).
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (proc.child.exitCode !== null) throw new Error(`kwok exited (${proc.child.exitCode}); log ${proc.logFile}:\n${proc.tail()}`);
  return proc;
}
