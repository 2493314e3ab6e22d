import { constants } from 'node:fs';
import { open, stat, unlink } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { permanent, retryable } from '../errors.ts';
import { expand } from '../template.ts';
import type { OutputImplementation } from '../types.ts';
import { artifactKey } from './key.ts';
import { localFileSpec, type LocalFileParams } from './local-file.spec.ts';
import { measured } from './stream.ts';

function folder(destination: string): string {
  // Expanded for the check and the write alike (the reference expands only in the check).
  const vars = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  return expand(destination, vars).replace(/\/$/, '');
}

async function checkFolder(destination: string): Promise<string> {
  const dir = folder(destination);
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw permanent('OutputCheckFailed', `folder '${dir}' does not exist`);
  return dir;
}

/** Opens `<dir>/<key>` exclusively; a name taken in the same second gets `_1`, `_2`… instead of overwriting. */
async function createUnique(dir: string, key: string) {
  for (let n = 0; ; n++) {
    const path = join(dir, n === 0 ? key : `${key}_${n}`);
    // Keys are single path segments (key.ts); this guards the folder against any that is not.
    if (!resolve(path).startsWith(resolve(dir) + sep)) throw permanent('InvalidKey', `the key '${key}' leaves the folder '${dir}'`);
    try {
      return { path, handle: await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600) };
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
  }
}

/** `local:file`: writes the artifact into a folder of the worker's filesystem, mode 0600. */
export const localFile: OutputImplementation<LocalFileParams> = {
  spec: localFileSpec,
  async checks(parameters) {
    await checkFolder(parameters.destination);
  },
  async store({ parameters, artifact, objects, event }) {
    const dir = await checkFolder(parameters.destination);
    const { path, handle } = await createUnique(dir, artifactKey(objects, event.hostname, artifact.name));
    const { stream, measure } = measured(artifact);
    try {
      await pipeline(stream, handle.createWriteStream());
    } catch (error) {
      // A partial file would look like a valid artifact. A broken source stream or a disk fault
      // (ENOSPC, EIO) may pass, as S3/GCS upload errors do: retried. The folder itself was checked.
      await unlink(path).catch(() => undefined);
      throw retryable('LocalWriteError', `writing '${path}' failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return {
      result: `the file '${artifact.name.split('/').pop()}' has been copied to '${path}'`,
      objects: { file: artifact.name, destination: path },
      location: `file://${path}`,
      size: measure.bytes,
      sha256: measure.digest(),
    };
  },
};
