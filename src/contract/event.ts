/** A JSON value as it arrives in a Falco alert's `output_fields` (or a rule's parameters). */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

/**
 * One Falco alert after decoding at the edge. Keys keep Falco's own JSON names so that the payload
 * handed to cloud functions (`aws:lambda`, `gcp:function`) is what Falco sent, plus `context`.
 */
export interface FalcoEvent {
  /** The alert line with Falco's `HH:MM:SS.nnnnnnnnn: Priority ` prefix stripped. */
  readonly output: string;
  readonly priority: string;
  readonly rule: string;
  readonly hostname: string;
  /** RFC 3339 time as sent, or null when absent. */
  readonly time: string | null;
  /** `syscall` when absent or empty. */
  readonly source: string;
  readonly output_fields: { readonly [key: string]: Json };
  readonly tags: readonly string[];
}

/** Talon context (reference §5.1) plus additional contexts, as flat string keys. */
export type TalonContext = { readonly [key: string]: string };

/** Result objects of an action or output (`pod`, `namespace`, `node`…). */
export type Objects = { readonly [key: string]: string };
