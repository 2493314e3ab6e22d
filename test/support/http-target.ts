import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The request target as sent: path and query. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Reply = { status: number; body?: string | Uint8Array; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A real loopback HTTP server whose routes answer from a script: e.g. `[503, 503, 200]` fails twice
 * then succeeds, so retries are tested against real HTTP, not fake activities.
 */
export class HttpTarget {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, Reply[]>();
  private readonly hanging = new Set<() => void>();
  private server?: Server;
  url = '';

  /** Replies for `path`, used in order; the last one repeats. */
  route(path: string, ...replies: (Reply | number)[]): this {
    this.scripts.set(
      path,
      replies.map((r) => (typeof r === 'number' ? { status: r } : r)),
    );
    return this;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Lets every hanging request go on (answered 200). */
  release(): void {
    for (const go of this.hanging) go();
    this.hanging.clear();
  }

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(Buffer.from(chunk));
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      this.requests.push({ method: req.method ?? '', path, url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const script = this.scripts.get(path) ?? [{ status: 404 }];
      const reply = script.length > 1 ? script.shift()! : script[0]!;
      if (reply === 'hang') {
        await new Promise<void>((resolve) => {
          this.hanging.add(resolve);
          req.socket.once('close', resolve);
        });
        if (!res.writableEnded && !req.socket.destroyed) res.writeHead(200).end('{"released":true}');
        return;
      }
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '{}');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
