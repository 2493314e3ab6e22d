import { z } from 'zod';
import { DURATION_HINT, normaliseDuration } from '../contract/durations.ts';
import { parseEncryptionKeys } from '../temporal/encryption-keys.ts';

// The only source of defaults and of the configuration reference (docs/reference/configuration.md,
// generated from the descriptions here). Every nested section uses `.prefault({})`, so an omitted
// section is parsed like an empty one and gets its fields' own defaults (a `.default({...})` literal
// would repeat them and could drift).

/**
 * Numbers may arrive as text (from YAML `"2803"` or from environment variables). Only non-blank
 * strings are converted: `true`, null or `""` stay as they are and fail as "expected number",
 * where `z.coerce` would silently turn them into 1 or 0.
 */
function numeric<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value), schema);
}

const port = numeric(z.number().int().min(0).max(65535));

/** A duration as rule files write it (`90s`, `15m`, `1h`, or seconds), normalised for Temporal. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const normalised = normaliseDuration(value);
  if (normalised === undefined) ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}` });
  return normalised ?? '';
});

const approval = z
  .object({
    timeout: duration.default('15m').describe('How long a decision is waited for.'),
    default: z.enum(['approve', 'deny']).default('deny').describe('What happens when nobody decides in time.'),
    approvers: z.array(z.string().min(1)).default([]).describe('Who may decide; empty: anyone who can reach the workflow or the authenticated ingest.'),
  })
  .strict();

const temporalEmbedded = z
  .object({
    port: port.default(7233).describe('Port of the embedded dev server (`talon start` without `temporal.address`).'),
    ui_port: port.default(8233).describe('Web UI port of the embedded dev server.'),
    db_filename: z
      .string()
      .min(1)
      .default('.data/temporal.db')
      .describe('SQLite file of the embedded dev server; relative paths are from the working directory.'),
    db_synchronous: z
      .enum(['full', 'normal'])
      .default('full')
      .describe(
        "How the embedded server's SQLite file (write-ahead log) commits: `full` syncs every commit to disk, so no alert answered 200 is lost even to a power cut; `normal` syncs at checkpoints, accepts more alerts per second and survives a crash of talon or Temporal, but a power cut or OS crash can lose the last commits.",
      ),
  })
  .strict();

const temporal = z
  .object({
    address: z.string().min(1).optional().describe('Temporal frontend `host:port`; unset, `talon start` runs an embedded dev server.'),
    namespace: z.string().min(1).default('default').describe('Temporal namespace.'),
    task_queue: z.string().min(1).default('talon').describe('Task queue of the playbook workers.'),
    api_key: z.string().min(1).optional().describe('API key (Temporal Cloud); sent as a bearer token.'),
    tls: z
      .object({
        enabled: z.boolean().default(false).describe('Connect to Temporal over TLS.'),
        server_name: z.string().optional().describe('Server name expected in the TLS certificate.'),
        ca_cert_path: z.string().optional().describe('CA certificate file (PEM).'),
        client_cert_path: z.string().optional().describe('Client certificate file for mTLS (PEM).'),
        client_key_path: z.string().optional().describe('Client key file for mTLS (PEM).'),
      })
      .strict()
      .prefault({})
      .describe('TLS towards the Temporal frontend.'),
    embedded: temporalEmbedded.prefault({}).describe('The embedded dev server of `talon start`.'),
  })
  .strict();

export const configSchema = z
  .object({
    listen_address: z.string().default('0.0.0.0').describe('Address the HTTP ingest listens on.'),
    listen_port: port.default(2803).describe('Port the HTTP ingest listens on.'),
    worker_metrics_port: port
      .default(2804)
      .describe("Port `talon worker` serves `/healthz` and `/metrics` on (0: any free port); `talon start` serves them on the ingest's port."),
    worker_max_cached_workflows: numeric(z.number().int().min(0))
      .default(200)
      .describe(
        'Playbook runs a worker keeps in memory between their workflow tasks (Temporal sticky cache); an evicted run is rebuilt from its history at its next task. Bounds the memory an alert storm holds in its dedup windows; 0 turns the cache off.',
      ),
    rules_files: z.array(z.string().min(1)).default(['playbooks/rules.yaml']).describe('Rule files or folders; later files extend earlier ones.'),
    kubeconfig: z.string().default('').describe('Kubeconfig file; empty means the in-cluster service account.'),
    log_format: z.string().default('color').describe('`color` or `text` for people, anything else for JSON lines.'),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('Log level.'),
    watch_rules: z.boolean().default(true).describe('Reload the rule files when they change; a broken file is refused and the previous rules stay.'),
    print_all_events: z.boolean().default(false).describe('Log every received event, not only matched ones.'),
    max_body_bytes: numeric(z.number().int().positive())
      .default(1024 * 1024)
      .describe('Largest accepted request body, in bytes; larger bodies get 413.'),
    auth: z
      .object({
        tokens: z
          .array(z.string().min(16, 'a token must have at least 16 characters'))
          .default([])
          .describe(
            "Tokens accepted as `Authorization: Bearer <token>` or as the password of HTTP Basic (any user): what `https://talon:<token>@host:2803/` in Falco's `http_output.url` or falcosidekick's `talon.address` sends. Several at once for rotation.",
          ),
        hmac_secrets: z
          .array(z.string().min(16, 'a secret must have at least 16 characters'))
          .default([])
          .describe(
            'Secrets for HMAC-SHA256 signed requests (webhook senders): `X-Talon-Signature: sha256=<hex of HMAC(secret, "<timestamp>.<body>")>` with `X-Talon-Timestamp: <unix seconds>`. Several at once for rotation.',
          ),
        hmac_window_seconds: numeric(z.number().int().positive())
          .default(300)
          .describe("How far a signed request's timestamp may be from now; a signature is accepted once within it (replays are refused)."),
        protect_metrics: z.boolean().default(false).describe('Require the same authentication for `/metrics` (`/healthz` stays open).'),
      })
      .strict()
      .prefault({})
      .describe(
        'Caller authentication of the ingest: off when no method is configured (start-up says so). A request passing any configured method is accepted.',
      ),
    tls: z
      .object({
        cert_file: z.string().min(1).optional().describe('Server certificate (PEM): the ingest serves HTTPS when it is set.'),
        key_file: z.string().min(1).optional().describe('Server private key (PEM).'),
        client_ca_file: z
          .string()
          .min(1)
          .optional()
          .describe("CA certificates (PEM) that sign client certificates: a client presenting one is authenticated (mutual TLS, Falco's `http_output.mtls`)."),
      })
      .strict()
      .prefault({})
      .refine((tls) => (tls.cert_file === undefined) === (tls.key_file === undefined), 'cert_file and key_file go together')
      .refine(
        (tls) => tls.client_ca_file === undefined || tls.cert_file !== undefined,
        'client_ca_file needs cert_file and key_file (mutual TLS is over HTTPS)',
      )
      .describe('HTTPS for the ingest, and mutual TLS.'),
    encryption: z
      .object({
        keys: z
          .array(z.string())
          .default([])
          .superRefine((entries, ctx) => {
            try {
              parseEncryptionKeys(entries);
            } catch (error) {
              ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
            }
          })
          .describe(
            'AES-256-GCM keys that encrypt every payload in Temporal (alert, parameters, results, memo), as `<id>:<base64 of 32 bytes>` (`openssl rand -base64 32`). The first encrypts, all decrypt: put a new key first to rotate, drop an old one once no history needs it. Empty: payloads are stored in clear.',
          ),
        codec_cors_origins: z
          .array(z.string().min(1))
          .default([])
          .describe(
            "Origins of Temporal UIs allowed to call the codec endpoint (`/codec/decode`) from the browser, e.g. `https://temporal.example.com`. The embedded dev server's UI is added by `talon start`.",
          ),
        identifiers_in_search_attributes: z
          .boolean()
          .default(true)
          .describe(
            'Put the pod, namespace and hostname in search attributes (visible to anyone who can list workflows, never encrypted). `false` keeps only the rule, priority, source and Talon fields there.',
          ),
      })
      .strict()
      .prefault({})
      .describe('Encryption of alert data at rest in Temporal, and the codec endpoint the Temporal UI decrypts through.'),
    start_queue: z
      .object({
        concurrency: numeric(z.number().int().positive()).default(32).describe('Workflow starts sent to Temporal at once by one ingest.'),
        max_queued: numeric(z.number().int().positive()).default(10_000).describe('Alerts held waiting for a start; past it, 503 with Retry-After at once.'),
        max_wait_seconds: numeric(z.number().positive())
          .default(60)
          .describe('Longest an alert is held until its start is durable (falcosidekick and Falco wait and never retry); past it, 503.'),
      })
      .strict()
      .prefault({})
      .describe('How the ingest holds a burst of alerts instead of dropping it.'),
    deduplication: z
      .object({
        leader_election: z.boolean().default(true).describe("Accepted for compatibility; Temporal's workflow-ID uniqueness replaces the election."),
        time_window_seconds: numeric(z.number().int().min(0))
          .default(5)
          .describe('The same alert output within this many seconds (and while its run is open) is a duplicate.'),
      })
      .strict()
      .prefault({})
      .describe('Deduplication of identical alerts.'),
    default_notifiers: z.array(z.string().min(1)).default([]).describe('Notifiers every rule reports to, before its own.'),
    notifiers: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .default({})
      .describe('`notifiers.<name>.<key>`: each notifier validates its own section (see notifiers.md).'),
    otel: z
      .object({
        traces_enabled: z
          .boolean()
          .default(false)
          .describe('Export traces over OTLP gRPC: one trace per alert, ingest request → workflow start → workflow → each activity.'),
        metrics_enabled: z
          .boolean()
          .default(false)
          .describe('Export every metric of `/metrics` (events, actions, notifications, process, Temporal SDK) over OTLP gRPC.'),
        metrics_interval_seconds: numeric(z.number().positive()).default(10).describe('Seconds between two metrics exports.'),
        collector_endpoint: z.string().default('localhost').describe('Host of the OTLP collector.'),
        collector_port: port.default(4317).describe('Port of the OTLP collector.'),
        collector_use_insecure_grpc: z.boolean().default(false).describe('Talk to the collector without TLS.'),
        timeout: numeric(z.number().positive()).default(10).describe('Export timeout, in seconds.'),
      })
      .strict()
      .prefault({})
      .describe('OpenTelemetry export, as Talon names it.'),
    aws: z
      .object({
        region: z.string().optional().describe('AWS region.'),
        access_key: z.string().optional().describe('AWS access key ID; static keys are used only when region, access key and secret key are all set.'),
        secret_key: z.string().optional().describe('AWS secret access key.'),
        role_arn: z.string().optional().describe('Role to assume on top of the static keys or the default chain.'),
        external_id: z.string().optional().describe('External ID for the assumed role.'),
        endpoint: z.string().optional().describe('Custom AWS endpoint for every service (LocalStack, a VPC endpoint).'),
      })
      .strict()
      .prefault({})
      .describe('Credentials of aws:lambda, aws:s3 and the aws context.'),
    gcp: z
      .object({
        credentials_path: z.string().optional().describe('Service-account key FILE; unset, application default credentials.'),
        region: z.string().optional().describe('GCP region (gcp:function).'),
        endpoint: z.string().optional().describe('Custom Cloud Storage endpoint (an emulator, a private endpoint).'),
        project_id: z.string().min(1).optional().describe("Project of gcp:function; unset, the credentials' project (key file, ADC)."),
        functions_endpoint: z
          .url()
          .optional()
          .describe('Cloud Functions API base URL (private endpoint, tests); unset, https://cloudfunctions.googleapis.com.'),
      })
      .strict()
      .prefault({})
      .describe('Credentials of gcp:function and gcp:gcs.'),
    minio: z
      .object({
        endpoint: z.string().optional().describe('MinIO `host:port` (scheme from use_ssl) or a full URL.'),
        access_key: z.string().optional().describe('MinIO access key.'),
        secret_key: z.string().optional().describe('MinIO secret key.'),
        use_ssl: z.boolean().default(false).describe('Talk to MinIO over TLS.'),
      })
      .strict()
      .prefault({})
      .describe('The minio:s3 output.'),
    temporal: temporal.prefault({}).describe('Where playbooks run: a Temporal cluster, or the embedded dev server.'),
    governor: z
      .object({
        destructive: z
          .array(z.string().min(1))
          .default(['kubernetes:terminate', 'kubernetes:delete', 'kubernetes:drain', 'kubernetes:cordon'])
          .describe('Actionners that draw on the budgets and stop while paused (`talon pause`).'),
        limits: z
          .array(
            z
              .object({
                scope: z.enum(['namespace', 'node', 'cluster']).describe("Per namespace, per node (the alert's hostname), or cluster-wide."),
                max: numeric(z.number().int().min(0)).describe('Destructive actions allowed per scope within the window.'),
                window: duration.describe('Sliding window, e.g. `1h`.'),
              })
              .strict(),
          )
          .default([])
          .describe('Blast-radius limits; none by default. Each scope key has one durable budget (a Temporal workflow), shared by every worker.'),
        over_budget: z
          .enum(['dry_run', 'approval'])
          .default('dry_run')
          .describe('An action over budget (or while paused) is reported as a dry run, or waits for approval (`governor.approval`).'),
        approval: approval.prefault({}).describe('The approval an over-budget action waits for, with `over_budget: approval`.'),
      })
      .strict()
      .prefault({})
      .describe('The blast-radius governor: budgets of destructive actions and the global pause switch.'),
    ui_base_url: z
      .url()
      .optional()
      .describe('Base URL of the Temporal UI (`http://temporal-ui:8080`): notifications link to the run. `talon start` uses its embedded UI.'),
    public_url: z.url().optional().describe("The ingest's URL as approvers reach it: approval requests carry `<public_url>/approvals/<workflow id>`."),
  })
  .strict();

export type TalonConfig = z.infer<typeof configSchema>;
