import type { Readable } from 'node:stream';

/**
 * Whether the stream holds any data, without consuming it: the first chunk is read ahead and put
 * back (unshift). An empty stream (a 204, a HEAD) must be `empty output`, not a 0-byte object.
 */
export function hasData(body: Readable): Promise<boolean> {
  if (body.readableEnded) return Promise.resolve(false);
  if (body.destroyed) return Promise.reject(body.errored ?? new Error('the stream was closed'));
  return new Promise((resolve, reject) => {
    const settle = (done: () => void) => {
      body.off('readable', onReadable).off('end', onEnd).off('error', onError);
      done();
    };
    const onReadable = () => {
      for (let chunk: unknown = body.read(); chunk !== null; chunk = body.read()) {
        // An empty chunk is no data (object-mode streams may yield one).
        if ((Buffer.isBuffer(chunk) || typeof chunk === 'string') && chunk.length === 0) continue;
        body.unshift(chunk);
        // Until the store pipes the stream (after async checks), an error of the source would have
        // no listener and crash the process; it stays in `body.errored`, which measured() reads.
        body.on('error', () => undefined);
        return settle(() => resolve(true));
      }
      // Nothing buffered: either more comes later ('readable' again) or 'end' follows.
    };
    const onEnd = () => settle(() => resolve(false));
    const onError = (error: Error) => settle(() => reject(error));
    body.on('readable', onReadable).once('end', onEnd).once('error', onError);
  });
}
