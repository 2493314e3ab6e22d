import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that notes when each `POST /hit/<id>` arrives (before reading the body), so
 * the bench can pair it with the time that alert was POSTed. Same process, same clock.
 */
export class ArrivalRecorder {
  readonly arrivals = new Map<string, number>();
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const at = performance.now();
      const id = (req.url ?? '').split('?')[0]?.split('/hit/')[1];
      // A retried activity would arrive twice: the first arrival is the one that counts.
      if (id && !this.arrivals.has(id)) this.arrivals.set(id, at);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hit`;
    return this;
  }

  /** Resolves once every id has arrived or `timeoutMs` passed; returns how many are missing. */
  async waitFor(ids: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    const missing = () => ids.filter((id) => !this.arrivals.has(id)).length;
    // Polling is enough: the arrival time is taken by the request handler, not by this loop.
    while (missing() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return missing();
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
