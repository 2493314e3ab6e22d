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
