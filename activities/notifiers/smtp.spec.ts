import { z } from 'zod';
import type { NotifierSpec } from '../../src/contract/index.ts';

/** `host:port`, `[ipv6]:port`: host (or IPv6 address) and port as groups. */
export const HOST_PORT = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):(\d{1,5})$/;

/** The addresses of a comma-separated `to`, trimmed, empty ones left out. */
export function recipients(to: string): string[] {
  return to
    .split(',')
    .map((address) => address.trim())
    .filter((address) => address !== '');
}

const config = z
  .object({
    host_port: z.string().regex(HOST_PORT, 'must be host:port').describe('SMTP server as `host:port` (`[::1]:25` for IPv6).'),
    from: z.string().min(1).describe('Sender address (`From`).'),
    to: z
      .string()
      .refine((to) => recipients(to).length > 0, 'needs at least one recipient')
      .describe('Comma-separated recipients.'),
    user: z.string().default('').describe('AUTH is attempted only when both `user` and `password` are set (Talon always tried it, §11.12).'),
    password: z.string().default('').describe('Password of the SMTP AUTH, with `user`.'),
    format: z.enum(['html', 'text']).default('html').describe('`html`: multipart/alternative with a text and an HTML part; `text`: the text part only.'),
    tls: z.boolean().default(false).describe('`true`: STARTTLS is required, TLS ≥ 1.2, certificate verified; `false`: plain SMTP, as Talon.'),
    ca_cert_path: z.string().default('').describe("PEM file of the CAs that sign the server's certificate (private CA); empty: the system CAs."),
  })
  .strict();

export type SmtpConfig = z.infer<typeof config>;

/** `smtp`: one mail per report. */
export const smtpSpec: NotifierSpec<SmtpConfig> = {
  name: 'smtp',
  description: 'Mail the action/output report (HTML or plain text)',
  config,
  rerun: 'Sends the mail again: delivery is at least once.',
  permissions: {},
  example: `notifiers:
  smtp:
    host_port: smtp.example.com:587
    from: falco-talon@example.com
    to: secops@example.com, oncall@example.com
    user: falco-talon
    password: xxx
    tls: true
`,
};
