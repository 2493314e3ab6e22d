import { z } from 'zod';
import { mergeHeaders } from '../http/client.ts';

/** `Authorization` value for HTTP basic auth. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * The user's custom headers under the notifier's own ones. Keys are lower-cased first: a custom
 * `Content-Type` next to our `content-type` would otherwise be sent as two joined values.
 */
export function withHeaders(custom: Readonly<Record<string, string>>, own: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return mergeHeaders(custom, own);
}

/**
 * A notifier's `http(s)://…` URL, refusing `user:pass@`: fetch cannot send it, and the URL is
 * quoted in errors; `use` names the keys that carry credentials instead.
 */
export function notifierUrl(use: string) {
  return z
    .string()
    .regex(/^https?:\/\/\S+$/, 'invalid url')
    .refine((url) => !/^https?:\/\/[^/?#]*@/i.test(url), `credentials in the URL are not allowed: use ${use}`);
}
