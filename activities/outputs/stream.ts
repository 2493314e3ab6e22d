import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { Artifact } from '../types.ts';

/** A pass-through that measures what flows to the store: size and SHA-256 without buffering. */
export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  // Not `size`: upload libraries (lib-storage) read a body's `size` as its total length.
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null, data?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The artifact body as a stream piped through a Measure. */
export function measured(artifact: Artifact): { stream: Readable; measure: Measure } {
  const source = Buffer.isBuffer(artifact.body) ? Readable.from([artifact.body]) : artifact.body;
  const measure = new Measure();
  source.on('error', (error) => measure.destroy(error));
  // Failed or closed before it was piped (e.g. while the output checked its target): pipe() would
  // wait for data that never comes.
  if (source.destroyed) {
    const cause = source.errored ?? new Error('the artifact stream was closed before it was stored');
    process.nextTick(() => measure.destroy(cause));
  }
  // pipe() does not propagate a failed store (measure destroyed) back to the source: close it, or a
  // response body would stay open until its timeout.
  measure.on('close', () => {
    if (!source.destroyed) source.destroy();
  });
  return { stream: source.pipe(measure), measure };
}
