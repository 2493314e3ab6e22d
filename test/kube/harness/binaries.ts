import { accessSync, constants, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths of the control-plane binaries; `kwok` is undefined when KWOK is not provisioned. */
export interface KubeBinaries {
  readonly etcd: string;
  readonly apiserver: string;
  readonly kwok?: string;
  /** Kubernetes' Job controller alone (scripts/kube/kube-job-controller). */
  readonly jobController: string;
}

const kubeModuleDir = fileURLToPath(new URL('../../../scripts/kube/', import.meta.url));
const provisionHint = 'run `bash scripts/provision-kube.sh` (cold build ~15 min)';

/** Versions, read from the same files scripts/provision-kube.sh reads, so the paths always agree. */
export function pinnedVersions(): { kube: string; etcd: string; kwok: string; cilium: string; prometheusOperator: string } {
  const env = readFileSync(join(kubeModuleDir, 'versions.env'), 'utf8');
  const goMod = readFileSync(join(kubeModuleDir, 'go.mod'), 'utf8');
  const pick = (text: string, pattern: RegExp, what: string): string => {
    const found = pattern.exec(text)?.[1];
    if (!found) throw new Error(`cannot read the ${what} version from scripts/kube/`);
    return found;
  };
  return {
    kube: pick(env, /^KUBE_VERSION=(\S+)$/m, 'Kubernetes'),
    kwok: pick(env, /^KWOK_VERSION=(\S+)$/m, 'KWOK'),
    cilium: pick(env, /^CILIUM_VERSION=(\S+)$/m, 'Cilium'),
    prometheusOperator: pick(env, /^PROMETHEUS_OPERATOR_VERSION=(\S+)$/m, 'Prometheus Operator'),
    etcd: pick(goMod, /^(?:require)?\s*go\.etcd\.io\/etcd\/server\/v3 (v\S+)/m, 'etcd'),
  };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The env var wins; otherwise the tools cache path that provision-kube.sh writes. */
function locate(envVar: string, cached: string, name: string): string {
  const path = process.env[envVar] || cached;
  if (!executable(path)) throw new Error(`${name} not found at ${path} — ${provisionHint} or set ${envVar}`);
  return path;
}

/**
 * Finds etcd, kube-apiserver, the Job controller and (optionally) kwok in
 * `${XDG_CACHE_HOME:-~/.cache}/talon-tools/<name>-<version>/<name>` or via
 * `ETCD_BIN` / `KUBE_APISERVER_BIN` / `KUBE_JOB_CONTROLLER_BIN` / `KWOK_BIN`. Throws with the provisioning hint when one is missing.
 * `KWOK_BIN=none` turns KWOK off.
 */
export function findKubeBinaries(): KubeBinaries {
  const v = pinnedVersions();
  const tools = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'talon-tools');
  const etcd = locate('ETCD_BIN', join(tools, `etcd-${v.etcd}`, 'etcd'), 'etcd');
  const apiserver = locate('KUBE_APISERVER_BIN', join(tools, `kube-apiserver-${v.kube}`, 'kube-apiserver'), 'kube-apiserver');
  const jobController = locate('KUBE_JOB_CONTROLLER_BIN', join(tools, `kube-job-controller-${v.kube}`, 'kube-job-controller'), 'kube-job-controller');
  const kwokPath = process.env.KWOK_BIN || join(tools, `kwok-${v.kwok}`, 'kwok');
  const kwok = process.env.KWOK_BIN !== 'none' && executable(kwokPath) ? kwokPath : undefined;
  return { etcd, apiserver, jobController, kwok };
}
