import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { smtp } from '../../../activities/notifiers/smtp.ts';
import type { Report } from '../../../src/contract/index.ts';
import { HttpTarget } from '../../support/http-target.ts';
import { runPlaybook, startTestWorker, testClient, testConfig } from '../../support/temporal.ts';
import { actionReport, deps, failedActionReport, failureOf, outputReport } from './fixtures.ts';
import { selfSignedCert, SmtpTarget } from './smtp-server.ts';

const cert = selfSignedCert();
const credentials = { user: 'talon', password: 's3cret' };

// One server per combination of the transport options the notifier must handle.
const plain = new SmtpTarget({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false });
const plainAuth = new SmtpTarget({ allowInsecureAuth: true, disabledCommands: ['STARTTLS'], logger: false }, credentials);
const starttls = new SmtpTarget({ authOptional: true, key: readFileSync(cert.keyPath), cert: readFileSync(cert.certPath), logger: false });
const starttlsAuth = new SmtpTarget({ key: readFileSync(cert.keyPath), cert: readFileSync(cert.certPath), logger: false }, credentials);
const servers = [plain, plainAuth, starttls, starttlsAuth];

beforeAll(async () => {
  for (const server of servers) await server.start();
});
afterAll(async () => {
  for (const server of servers) await server.stop();
});
beforeEach(() => {
  for (const server of servers) server.reset();
});

const cfg = (server: SmtpTarget, raw: Record<string, unknown> = {}) =>
  smtp.spec.config.parse({ host_port: server.hostPort, from: 'falco-talon@example.com', to: 'secops@example.com, oncall@example.com', ...raw });

async function mailed(server: SmtpTarget, report: Report, raw: Record<string, unknown> = {}) {
  await smtp.send(report, cfg(server, raw), deps);
  expect(server.received).toHaveLength(1);
  return server.received[0]!;
}

const actionText = `Status: success
Action: Terminate Pod
Actionner: kubernetes:terminate
Rule: Terminal shell in container
Event: A shell was spawned <script>alert(1)</script> & <!channel> (proc=bash)
Message: action
Namespace: prod
Pod: nginx-1
Trace ID: trace-1
`;

const sha = 'ab'.repeat(32);
const outputText = `Status: success
Action: Get logs
Rule: Terminal shell in container
Message: output
Destination: /var/talon
File: log
Output: the file 'log' has been copied to '/var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log'
OutputTarget: local:file
Trace ID: trace-1
Artifact: file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log
Artifact Size: 2048 bytes
Artifact SHA256: ${sha}
`;

describe('smtp notifier', () => {
  it('text format: Subject, headers and the plain-text body, no HTML part, no AUTH without credentials', async () => {
    const received = await mailed(plain, actionReport, { format: 'text' });
    expect(received.mail.subject).toBe("[falco-talon][success][action] Action 'Terminate Pod' Rule 'Terminal shell in container'");
    expect(received.mail.from?.text).toBe('falco-talon@example.com');
    expect(received.mail.to).toMatchObject({ text: 'secops@example.com, oncall@example.com' });
    expect(received.recipients).toEqual(['secops@example.com', 'oncall@example.com']);
    expect(received.mail.date).toBeInstanceOf(Date);
    expect(received.mail.text).toBe(actionText);
    expect(received.mail.html).toBe(false);
    expect(received.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8\r?$/m);
    expect(received.secure).toBe(false);
    expect(received.user).toBeUndefined();
    expect(plain.auths).toEqual([]);
  });

  it('html format (default): a multipart/alternative mail with a Subject, the text part and an escaped HTML table', async () => {
    const received = await mailed(plain, actionReport);
    expect(received.raw).toMatch(/^Content-Type: multipart\/alternative;\s+boundary=/m);
    expect(received.mail.subject).toBe("[falco-talon][success][action] Action 'Terminate Pod' Rule 'Terminal shell in container'");
    expect(received.mail.text).toBe(actionText);
    const html = received.mail.html;
    if (typeof html !== 'string') throw new Error('no HTML part');
    expect(html).toContain('<td colspan="2" style="background-color:#23ba47;color:#fff;text-align:center"><strong>success</strong></td>');
    expect(html).toContain(
      '>Event</td><td style="background-color:#d1d6da">A shell was spawned &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;!channel&gt; (proc=bash)</td>',
    );
    expect(html).toContain('>Pod</td><td style="background-color:#d1d6da">nginx-1</td>');
    expect(html).not.toContain('<script>');
  });

  it('an output report shows the artifact location, size and SHA-256 in both parts', async () => {
    const received = await mailed(plain, outputReport);
    expect(received.mail.subject).toBe("[falco-talon][success][output] OutputTarget 'local:file' Action 'Get logs' Rule 'Terminal shell in container'");
    expect(received.mail.text).toBe(outputText);
    expect(received.mail.html).toContain(`>Artifact SHA256</td><td style="background-color:#d1d6da">${sha}</td>`);
    expect(received.mail.html).toContain('>Artifact Size</td><td style="background-color:#d1d6da">2048 bytes</td>');
    expect(received.mail.html).toContain('>Artifact</td><td style="background-color:#d1d6da">file:///var/talon/2024-05-01T10-00-00Z_prod_nginx-1_log</td>');
  });

  it('a failure report: red banner, Error line, and multi-line output kept', async () => {
    const received = await mailed(plain, { ...failedActionReport, output: 'line 1\nline 2' });
    expect(received.mail.subject).toBe("[falco-talon][failure][action] Action 'Terminate Pod' Rule 'Terminal shell in container'");
    expect(received.mail.text).toContain("Error: pods 'nginx-1' not found\nOutput:\nline 1\nline 2\nTrace ID: trace-1\n");
    expect(received.mail.html).toContain('background-color:#e20b0b');
    expect(received.mail.html).toContain('<pre style="margin:0;white-space:pre-wrap">line 1\nline 2</pre>');
  });

  it('AUTH without STARTTLS when user and password are set', async () => {
    const received = await mailed(plainAuth, actionReport, credentials);
    expect(received.user).toBe('talon');
    expect(received.secure).toBe(false);
    expect(plainAuth.auths).toEqual([credentials]);
  });

  it('user without password: no AUTH attempted, so a server requiring it refuses the mail (permanent)', async () => {
    const failure = await failureOf(smtp.send(actionReport, cfg(plainAuth, { user: 'talon' }), deps));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(new RegExp(`^smtp ${plainAuth.hostPort}: .*530`));
    expect(plainAuth.auths).toEqual([]);
    expect(plainAuth.received).toEqual([]);
  });

  it('STARTTLS when tls is true, verifying the certificate against ca_cert_path', async () => {
    const received = await mailed(starttls, outputReport, { tls: true, ca_cert_path: cert.certPath });
    expect(received.secure).toBe(true);
    expect(received.user).toBeUndefined();
    expect(starttls.auths).toEqual([]);
    expect(received.mail.text).toBe(outputText);
  });

  it('STARTTLS then AUTH', async () => {
    const received = await mailed(starttlsAuth, actionReport, { tls: true, ca_cert_path: cert.certPath, ...credentials, format: 'text' });
    expect(received.secure).toBe(true);
    expect(received.user).toBe('talon');
    expect(received.mail.text).toBe(actionText);
  });

  it('tls false never upgrades, even when the server offers STARTTLS', async () => {
    const received = await mailed(starttls, actionReport);
    expect(received.secure).toBe(false);
  });

  it('tls true refuses a server without STARTTLS and an untrusted certificate (permanent)', async () => {
    const noStarttls = await failureOf(smtp.send(actionReport, cfg(plain, { tls: true }), deps));
    expect(noStarttls).toMatchObject({ nonRetryable: true });
    expect(noStarttls.message).toMatch(new RegExp(`^smtp ${plain.hostPort}: .*STARTTLS`));
    const untrusted = await failureOf(smtp.send(actionReport, cfg(starttls, { tls: true }), deps));
    expect(untrusted).toMatchObject({ nonRetryable: true, type: 'SmtpTls' });
    expect(untrusted.message).toBe(`smtp ${starttls.hostPort}: self-signed certificate`);
    expect(plain.received).toEqual([]);
    expect(starttls.received).toEqual([]);
  });

  it('wrong credentials are permanent', async () => {
    const failure = await failureOf(smtp.send(actionReport, cfg(plainAuth, { user: 'talon', password: 'wrong' }), deps));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'Smtp535' });
    expect(failure.message).toContain('Authentication failed');
  });

  it('a 4xx reply is retryable, a 5xx reply permanent', async () => {
    plain.rejections.push({ code: 451, text: 'try again later' }, { code: 550, text: 'mailbox unavailable' });
    const transient = await failureOf(smtp.send(actionReport, cfg(plain), deps));
    expect(transient).toMatchObject({ nonRetryable: false, type: 'Smtp451' });
    expect(transient.message).toMatch(new RegExp(`^smtp ${plain.hostPort}: .*try again later`));
    const fatal = await failureOf(smtp.send(actionReport, cfg(plain), deps));
    expect(fatal).toMatchObject({ nonRetryable: true, type: 'Smtp550' });
    expect(plain.received).toEqual([]);
  });

  it('a refused connection is retryable', async () => {
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    if (address === null || typeof address === 'string') throw new Error('no port');
    const failure = await failureOf(smtp.send(actionReport, cfg(plain, { host_port: `127.0.0.1:${address.port}` }), deps));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'NetworkError' });
    expect(failure.message).toContain('ECONNREFUSED');
  });
});

describe('smtp config', () => {
  it('has Talon defaults', () => {
    expect(smtp.spec.config.parse({ host_port: 'mail:25', from: 'a@b', to: 'c@d' })).toEqual({
      host_port: 'mail:25',
      from: 'a@b',
      to: 'c@d',
      user: '',
      password: '',
      format: 'html',
      tls: false,
      ca_cert_path: '',
    });
  });

  it('requires host_port as host:port, from and at least one recipient; tls is a boolean', () => {
    const issues = (raw: Record<string, unknown>) => smtp.spec.config.safeParse(raw).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ host_port: 'mail:25', from: 'a@b' })).toEqual(['to: Invalid input: expected string, received undefined']);
    expect(issues({ host_port: 'mail', from: 'a@b', to: 'c@d' })).toEqual(['host_port: must be host:port']);
    expect(issues({ host_port: 'mail:25', from: 'a@b', to: ' , ' })).toEqual(['to: needs at least one recipient']);
    expect(issues({ host_port: 'mail:25', from: 'a@b', to: 'c@d', tls: 'yes' })?.[0]).toMatch(/^tls: /);
    expect(issues({ host_port: 'mail:25', from: 'a@b', to: 'c@d', format: 'markdown' })?.[0]).toMatch(/^format: /);
    expect(smtp.spec.config.safeParse({ host_port: '[::1]:2525', from: 'a@b', to: 'c@d' }).success).toBe(true);
  });
});

describe('smtp through the engine', () => {
  let client: Client;
  let http: HttpTarget;
  beforeAll(async () => {
    client = await testClient();
    http = await new HttpTarget().start();
  });
  afterAll(async () => {
    await client?.connection.close();
    await http?.stop();
  });

  it('a transient 451 is retried by Temporal and exactly one mail arrives', async () => {
    const worker = await startTestWorker(
      testConfig({ notifiers: { smtp: { host_port: plain.hostPort, from: 'falco-talon@example.com', to: 'secops@example.com', format: 'text' } } }),
    );
    try {
      http.route('/incident', 200);
      plain.rejections.push({ code: 451, text: 'greylisted, try again later' });
      const yaml = `- rule: mail the team
  match: { rules: [Terminal shell in container] }
  notifiers: [smtp]
  actions:
    - action: open incident
      actionner: http:request
      parameters: { url: "${http.url}/incident" }
`;
      const { report, workflowId } = await runPlaybook(client, worker, yaml);
      expect(plain.rejections).toEqual([]);
      expect(plain.received).toHaveLength(1);
      const mail = plain.received[0]!.mail;
      expect(mail.subject).toBe("[falco-talon][success][action] Action 'open incident' Rule 'mail the team'");
      expect(mail.text).toContain('Actionner: http:request\n');
      expect(mail.text).toContain(`Trace ID: ${workflowId}\n`);
      expect(report.notifications).toEqual([expect.objectContaining({ notifier: 'smtp', message: 'action', status: 'sent' })]);
    } finally {
      await worker.stop();
    }
  });
});
