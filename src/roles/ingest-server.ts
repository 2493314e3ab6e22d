import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
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

/** Serves the ingest app over HTTP, or HTTPS when `tls` is given; port 0 picks a free one. */
export async function listen(app: Hono, hostname: string, port: number, tls?: IngestTls): Promise<RunningServer> {
  const scheme = tls ? 'https' : 'http';
  const options = tls ? { createServer: createHttpsServer, serverOptions: httpsOptions(tls) } : {};
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port, ...options }, (info: AddressInfo) => {
      const host = hostname === '0.0.0.0' ? '127.0.0.1' : hostname;
      resolve({
        url: `${scheme}://${host}:${info.port}`,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Idle keep-alive sockets would hold close() open forever.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
    server.once('error', reject);
  });
}
