import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that notes when each `POST /hit/<id>` arrives (before reading the body), so
 * the bench can pair it with the time that alert was POSTed. Same process, same clock.
 */
export class ArrivalRecorder {
  readonly arrivals = new Map<string, number>();
  private readonly waiting = new Map<string, (at: number) => void>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const at = performance.now();
      const id = (req.url ?? '').split('?')[0]?.split('/hit/')[1];
      // A retried activity would arrive twice: the first arrival is the one that counts.
      if (id && !this.arrivals.has(id)) {
        this.arrivals.set(id, at);
        this.waiting.get(id)?.(at);
        this.waiting.delete(id);
      }
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hit`;
    return this;
  }

  /** When `id` arrived (performance.now()), waiting for it up to `timeoutMs`; undefined if it did not. */
  async arrival(id: string, timeoutMs: number): Promise<number | undefined> {
    const known = this.arrivals.get(id);
    if (known !== undefined) return known;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(id, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
