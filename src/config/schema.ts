import { z } from 'zod';

// The only source of defaults: validation, the loader and the docs all read this schema. Every
// nested section uses `.prefault({})`, so an omitted section is parsed like an empty one and gets
// its fields' own defaults (a `.default({...})` literal would repeat them and could drift).

/**
 * Numbers may arrive as text (from YAML `"2803"` or from environment variables). Only non-blank
 * strings are converted: `true`, null or `""` stay as they are and fail as "expected number",
 * where `z.coerce` would silently turn them into 1 or 0.
 */
function numeric<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);
}

const port = numeric(z.number().int().min(0).max(65535));

const temporalEmbedded = z
  .object({
    /** @default 7233 */
    port: port.default(7233),
    /** @default 8233 */
    ui_port: port.default(8233),
    /** SQLite file of the embedded dev server; relative paths are from the working directory. */
    db_filename: z.string().min(1).default('.data/temporal.db'),
  })
  .strict();

const temporal = z
  .object({
    /** Unset: `talon start` runs an embedded dev server. */
    address: z.string().min(1).optional(),
    namespace: z.string().min(1).default('default'),
    task_queue: z.string().min(1).default('talon'),
    api_key: z.string().min(1).optional(),
    tls: z
      .object({
        enabled: z.boolean().default(false),
        server_name: z.string().optional(),
        ca_cert_path: z.string().optional(),
        client_cert_path: z.string().optional(),
        client_key_path: z.string().optional(),
      })
      .strict()
      .prefault({}),
    embedded: temporalEmbedded.prefault({}),
  })
  .strict();

export const configSchema = z
  .object({
    listen_address: z.string().default('0.0.0.0'),
    listen_port: port.default(2803),
    rules_files: z.array(z.string().min(1)).default(['playbooks/rules.yaml']),
    kubeconfig: z.string().default(''),
    log_format: z.string().default('color'),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    watch_rules: z.boolean().default(true),
    print_all_events: z.boolean().default(false),
    /** Largest accepted request body in bytes. @default 1048576 */
    max_body_bytes: numeric(z.number().int().positive()).default(1024 * 1024),
    deduplication: z
      .object({
        /** Accepted for compatibility; Temporal's workflow-ID uniqueness replaces the election. */
        leader_election: z.boolean().default(true),
        time_window_seconds: numeric(z.number().int().min(0)).default(5),
      })
      .strict()
      .prefault({}),
    default_notifiers: z.array(z.string().min(1)).default([]),
    /** `notifiers.<name>.<key>`; each notifier validates its own section. */
    notifiers: z.record(z.string(), z.record(z.string(), z.unknown())).default({}),
    otel: z
      .object({
        traces_enabled: z.boolean().default(false),
        metrics_enabled: z.boolean().default(false),
        collector_endpoint: z.string().default('localhost'),
        collector_port: port.default(4317),
        collector_use_insecure_grpc: z.boolean().default(false),
        /** Export timeout in seconds. @default 10 */
        timeout: numeric(z.number().positive()).default(10),
      })
      .strict()
      .prefault({}),
    aws: z
      .object({
        region: z.string().optional(),
        access_key: z.string().optional(),
        secret_key: z.string().optional(),
        role_arn: z.string().optional(),
        external_id: z.string().optional(),
        endpoint: z.string().optional(),
      })
      .strict()
      .prefault({}),
    gcp: z
      .object({
        credentials_path: z.string().optional(),
        region: z.string().optional(),
        endpoint: z.string().optional(),
        /** Project of `gcp:function`. @default the credentials' project (key file `project_id`, ADC) */
        project_id: z.string().min(1).optional(),
        /** Cloud Functions API base URL (private endpoint, tests). @default "https://cloudfunctions.googleapis.com" */
        functions_endpoint: z.url().optional(),
      })
      .strict()
      .prefault({}),
    minio: z
      .object({
        endpoint: z.string().optional(),
        access_key: z.string().optional(),
        secret_key: z.string().optional(),
        use_ssl: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    temporal: temporal.prefault({}),
  })
  .strict();

export type TalonConfig = z.infer<typeof configSchema>;
