import { z } from 'zod';

// Zod pieces shared by notifier configurations. Spec-safe: specs (loaded by ingest, the CLI and the
// docs generator) import this module, so it holds pure schema code only — no SDK, no Node built-ins.

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

/** `custom_headers`: header name → value, sent with every request. @default {} */
export function headerMap() {
  return z.record(z.string(), z.string()).default({});
}
