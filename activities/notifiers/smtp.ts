import { readFile } from 'node:fs/promises';
import type { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import type { Report } from '../../src/contract/index.ts';
import { permanent, retryable, truncate } from '../errors.ts';
import type { NotifierImplementation } from '../types.ts';
import { htmlBody } from './smtp-html.ts';
import { HOST_PORT, recipients, smtpSpec, type SmtpConfig } from './smtp.spec.ts';
import { reportRows, summary, textBody } from './text.ts';

export type { SmtpConfig } from './smtp.spec.ts';

/** `[falco-talon][<status>][<message>] OutputTarget '<t>' Action '<a>' Rule '<r>'`, parts when set. */
export function subject(report: Report): string {
  return `[falco-talon]${summary(report)}`;
}

/** The message nodemailer composes: a Subject in both formats, an HTML part only in `html`. */
export function mail(report: Report, cfg: SmtpConfig): { from: string; to: string[]; subject: string; text: string; html?: string } {
  const rows = reportRows(report);
  const message = { from: cfg.from, to: recipients(cfg.to), subject: subject(report), text: textBody(rows) };
  return cfg.format === 'html' ? { ...message, html: htmlBody(report, rows) } : message;
}

// Codes nodemailer gives to failures of the connection itself: the server may be back soon.
const NETWORK_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS']);

/**
 * SMTP replies decide: 4xx (421 shutting down, 450/451/452 try later) retry, 5xx (550 no such
 * mailbox, 535 bad credentials) do not. Without a reply: connection failures retry; a TLS
 * (no STARTTLS, untrusted certificate) or authentication failure is a configuration problem and
 * does not.
 */
export function classify(error: unknown, hostPort: string): ApplicationFailure {
  const message = `smtp ${hostPort}: ${truncate(error instanceof Error ? error.message : String(error))}`;
  const responseCode = error instanceof Error && 'responseCode' in error && typeof error.responseCode === 'number' ? error.responseCode : undefined;
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (responseCode !== undefined) {
    return responseCode >= 500 ? permanent(`Smtp${responseCode}`, message) : retryable(`Smtp${responseCode}`, message);
  }
  if (code === 'ETLS' || code === 'EAUTH') return permanent(code === 'ETLS' ? 'SmtpTls' : 'SmtpAuth', message);
  // nodemailer reports a rejected server certificate as a socket error (its TLS code overwritten with
  // ESOCKET); only Node's certificate messages name a certificate, and retrying cannot fix one.
  if (code === 'ESOCKET' && /certificate|altnames/i.test(message)) return permanent('SmtpTls', message);
  if (code !== undefined && NETWORK_CODES.has(code)) return retryable('NetworkError', message);
  return retryable('SmtpError', message);
}

async function transportFor(cfg: SmtpConfig) {
  const [, ipv6, name, port] = HOST_PORT.exec(cfg.host_port) ?? [];
  const host = ipv6 ?? name ?? '';
  let ca: Buffer | undefined;
  if (cfg.ca_cert_path) {
    try {
      ca = await readFile(cfg.ca_cert_path);
    } catch (error) {
      throw permanent('InvalidConfig', `smtp ca_cert_path: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return nodemailer.createTransport({
    host,
    port: Number(port),
    secure: false,
    // Talon's `tls: false` never upgrades; `true` refuses to go on without STARTTLS.
    ignoreTLS: !cfg.tls,
    requireTLS: cfg.tls,
    tls: { minVersion: 'TLSv1.2', ...(ca ? { ca } : {}) },
    auth: cfg.user && cfg.password ? { user: cfg.user, pass: cfg.password } : undefined,
    // Within the notifier activity's 30 s start-to-close timeout, so a hung server fails this attempt.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

/** `smtp`: one mail per report. */
export const smtp: NotifierImplementation<SmtpConfig> = {
  spec: smtpSpec,
  async send(report, cfg, deps) {
    const transport = await transportFor(cfg);
    try {
      const info = await transport.sendMail(mail(report, cfg));
      // Some recipients accepted: retrying would mail them twice, so the rest is only logged.
      if (info.rejected.length > 0) deps.log.warn({ notifier: 'smtp', rejected: info.rejected }, 'some recipients were rejected');
    } catch (error) {
      throw classify(error, cfg.host_port);
    } finally {
      transport.close();
    }
  },
};
