/** `Authorization` value for HTTP basic auth. */
export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/**
 * The user's custom headers under the notifier's own ones. Keys are lower-cased first: a custom
 * `Content-Type` next to our `content-type` would otherwise be sent as two joined values.
 */
export function withHeaders(custom: Readonly<Record<string, string>>, own: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(custom)) headers[key.toLowerCase()] = value;
  for (const [key, value] of Object.entries(own)) if (value !== undefined) headers[key.toLowerCase()] = value;
  return headers;
}
