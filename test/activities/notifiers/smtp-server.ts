import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** A self-signed certificate for 127.0.0.1 (file paths), made with openssl for STARTTLS tests. */
export function selfSignedCert(): { keyPath: string; certPath: string } {
  const dir = mkdtempSync(join(tmpdir(), 'talon-smtp-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-days',
      '1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ],
    { stdio: 'ignore' },
  );
  return { keyPath, certPath };
}

export interface Received {
  readonly mail: ParsedMail;
  readonly raw: string;
  readonly user: string | undefined;
  readonly secure: boolean;
  readonly recipients: string[];
}

/** An SMTPError-like reply the server gives instead of accepting the message. */
export type Rejection = { readonly code: number; readonly text: string };

/**
 * A real SMTP server (smtp-server) on loopback that parses every accepted message. Each entry of
 * `rejections` answers one DATA with that reply instead of accepting it, first in first out; `auths`
 * records each AUTH attempt.
 */
export class SmtpTarget {
  readonly received: Received[] = [];
  readonly auths: { user: string; password: string }[] = [];
  readonly rejections: Rejection[] = [];
  private readonly server: SMTPServer;
  hostPort = '';

  constructor(options: SMTPServerOptions, credentials?: { user: string; password: string }) {
    this.server = new SMTPServer({
      ...options,
      onAuth: (auth, _session, callback) => {
        this.auths.push({ user: auth.username ?? '', password: auth.password ?? '' });
        if (credentials && auth.username === credentials.user && auth.password === credentials.password) return callback(null, { user: auth.username });
        callback(Object.assign(new Error('Authentication failed'), { responseCode: 535 }));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const rejection = this.rejections.shift();
          if (rejection) return callback(Object.assign(new Error(rejection.text), { responseCode: rejection.code }));
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then((mail) => {
            const user = typeof session.user === 'string' ? session.user : undefined;
            this.received.push({ mail, raw: raw.toString('utf8'), user, secure: session.secure, recipients: session.envelope.rcptTo.map((r) => r.address) });
            callback();
          }, callback);
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    this.hostPort = `127.0.0.1:${(address satisfies AddressInfo).port}`;
    return this;
  }

  /** Forgets what was received, so each test starts from an empty mailbox. */
  reset(): void {
    this.received.length = 0;
    this.auths.length = 0;
    this.rejections.length = 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(resolve));
  }
}
