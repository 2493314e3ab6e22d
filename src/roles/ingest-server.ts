import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and waits for open requests to finish. */
  close(): Promise<void>;
}

/** HTTPS for the ingest: files as the configuration names them. */
export interface IngestTls {
  readonly certFile: string;
  readonly keyFile: string;
  /** Client certificates signed by these CAs are verified; the app decides what a missing one means. */
  readonly clientCaFile?: string;
}

function httpsOptions(tls: IngestTls) {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile
      ? // A client without a certificate still connects: with tokens or HMAC configured too, any
        // method may authenticate it, and a refused request gets a 401, not a TLS error.
        { ca: readFileSync(tls.clientCaFile), requestCert: true, rejectUnauthorized: false }
      : {}),
  };
}

/**
 * Connections the kernel completes and holds before the process accepts them (capped by
 * net.core.somaxconn). Node's 511 overflows in an alert storm: falcosidekick opens a connection per
 * alert in flight, and past the queue the handshakes are dropped and its requests time out; a long
 * queue only makes them wait for their turn.
 */
const LISTEN_BACKLOG = 65_535;

/**
 * How long an idle keep-alive connection stays open. Longer than the senders' own idle timeouts
 * (Go's http.Transport, falcosidekick's: 90 s), so the sender closes first: a server closing it
 * (Node's default: 5 s) races a POST already on the way, which Go does not resend — a lost alert.
 */
export const KEEP_ALIVE_MS = 120_000;

/** How long close() lets requests in flight finish before their connections are cut. */
const CLOSE_BOUND_MS = 10_000;

/** Bounds on a slow client, so a connection that trickles its headers or body cannot stay open. */
export interface ReadTimeouts {
  /**
   * Time to receive the headers, counted by Node from the connection's accept: in a storm the
   * process accepts thousands of queued connections at once and reads them in turn, so the bound
   * must cover that turn, not only a slow client. @default 60000
   */
  readonly headersMs?: number;
  /** Time to receive the whole request, from the accept too. @default 120000 */
  readonly requestMs?: number;
}

/**
 * Serves the ingest app over HTTP, or HTTPS when `tls` is given; port 0 picks a free one. A request
 * not received within the read timeouts is answered 408 by Node and never reaches the app.
 */
export async function listen(app: Hono, hostname: string, port: number, tls?: IngestTls, timeouts: ReadTimeouts = {}): Promise<RunningServer> {
  const scheme = tls ? 'https' : 'http';
  const headersTimeout = timeouts.headersMs ?? 60_000;
  const requestTimeout = Math.max(timeouts.requestMs ?? 120_000, headersTimeout);
  // Node checks the timeouts every `connectionsCheckingInterval`: a fraction of the shortest.
  const limits = { headersTimeout, requestTimeout, connectionsCheckingInterval: Math.max(100, Math.floor(headersTimeout / 4)) };
  const options = tls ? { createServer: createHttpsServer, serverOptions: { ...httpsOptions(tls), ...limits } } : { serverOptions: limits };
  return new Promise((resolve, reject) => {
    const server = createAdaptorServer({ fetch: app.fetch, hostname, ...options });
    if ('keepAliveTimeout' in server) server.keepAliveTimeout = KEEP_ALIVE_MS;
    server.listen({ port, host: hostname, backlog: LISTEN_BACKLOG }, () => {
      const info = server.address() as AddressInfo;
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      resolve({
        url: `${scheme}://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            // New connections are refused at once; requests in flight finish within the bound.
            const force = setTimeout(() => {
              if ('closeAllConnections' in server) server.closeAllConnections();
            }, CLOSE_BOUND_MS);
            server.close(() => {
              clearTimeout(force);
              done();
            });
            // Idle keep-alive sockets would hold close() open.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
