/** How an environment variable's text becomes a configuration value. */
export type EnvironmentValueType =
  /** Kept as text; numeric keys are converted (and checked) by the schema. */
  | 'string'
  /** `true` or `false`, case-insensitive; anything else is an error naming the variable. */
  | 'boolean'
  /** Comma-separated; items are trimmed and empty items dropped. */
  | 'list';

export interface EnvironmentVariable {
  /** The variable's name, e.g. `LISTEN_PORT`. `<NAME>`/`<KEY>` mark a pattern. */
  readonly name: string;
  /** The configuration key it sets, dotted, e.g. `deduplication.time_window_seconds`. */
  readonly key: string;
  readonly description: string;
  readonly type: EnvironmentValueType;
  /**
   * Read only when the configuration file sets this key — the reference's rule for keys that have no
   * default (`aws.*`, `gcp.*`, `minio.*`, `notifiers.*`), so that a stray `AWS_REGION` in the
   * environment does not configure anything by itself.
   */
  readonly onlyIfInFile: boolean;
}

type Row = readonly [name: string, key: string, type: EnvironmentValueType, description: string];

function rows(onlyIfInFile: boolean, list: readonly Row[]): EnvironmentVariable[] {
  return list.map(([name, key, type, description]) => Object.freeze({ name, key, type, description, onlyIfInFile }));
}

/** A row documenting a family of variables (`NOTIFIERS_<NAME>_<KEY>`) rather than one name. */
export function isPattern(variable: EnvironmentVariable): boolean {
  return variable.name.includes('<');
}

/**
 * Every environment variable the configuration reads: the one list the loader and the generated
 * reference (docs/reference/environment.md) use. Talon's names are the key upper-cased with `.` → `_`; the `temporal` section uses the
 * names of Temporal's own CLI and SDK environment configuration instead.
 */
export const ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  ...rows(false, [
    ['LISTEN_ADDRESS', 'listen_address', 'string', 'Address the HTTP ingest listens on.'],
    ['LISTEN_PORT', 'listen_port', 'string', 'Port the HTTP ingest listens on.'],
    ['WORKER_METRICS_PORT', 'worker_metrics_port', 'string', 'Port `talon worker` serves /healthz and /metrics on.'],
    ['WORKER_MAX_CACHED_WORKFLOWS', 'worker_max_cached_workflows', 'string', 'Playbook runs a worker keeps in memory between their workflow tasks.'],
    ['RULES_FILES', 'rules_files', 'list', 'Rule files, comma-separated; later files extend earlier ones.'],
    ['KUBECONFIG', 'kubeconfig', 'string', 'Kubeconfig file; empty means in-cluster configuration.'],
    ['LOG_FORMAT', 'log_format', 'string', '`color` or `text` for people, anything else for JSON lines.'],
    ['LOG_LEVEL', 'log_level', 'string', 'One of trace, debug, info, warn, error.'],
    ['WATCH_RULES', 'watch_rules', 'boolean', 'Reload the rule files when they change.'],
    ['PRINT_ALL_EVENTS', 'print_all_events', 'boolean', 'Log every received event, not only matched ones.'],
    ['MAX_BODY_BYTES', 'max_body_bytes', 'string', 'Largest accepted request body, in bytes.'],
    ['DEDUPLICATION_LEADER_ELECTION', 'deduplication.leader_election', 'boolean', 'Accepted; has no effect.'],
    ['DEDUPLICATION_TIME_WINDOW_SECONDS', 'deduplication.time_window_seconds', 'string', 'Duplicate window, seconds.'],
    ['DEFAULT_NOTIFIERS', 'default_notifiers', 'list', 'Notifiers used by every rule, comma-separated.'],
    ['START_QUEUE_CONCURRENCY', 'start_queue.concurrency', 'string', 'Workflow starts in flight at once.'],
    ['START_QUEUE_MAX_QUEUED', 'start_queue.max_queued', 'string', 'Alerts held waiting for a start.'],
    ['START_QUEUE_MAX_WAIT_SECONDS', 'start_queue.max_wait_seconds', 'string', 'Longest an alert is held, seconds.'],
    ['AUTH_TOKENS', 'auth.tokens', 'list', 'Ingest tokens (Bearer, or the Basic password), comma-separated.'],
    ['AUTH_HMAC_SECRETS', 'auth.hmac_secrets', 'list', 'Ingest HMAC secrets, comma-separated.'],
    ['AUTH_HMAC_WINDOW_SECONDS', 'auth.hmac_window_seconds', 'string', 'Accepted age of a signed request, seconds.'],
    ['AUTH_PROTECT_METRICS', 'auth.protect_metrics', 'boolean', 'Authenticate /metrics too.'],
    ['TLS_CERT_FILE', 'tls.cert_file', 'string', 'Ingest server certificate (PEM): serve HTTPS.'],
    ['TLS_KEY_FILE', 'tls.key_file', 'string', 'Ingest server private key (PEM).'],
    ['TLS_CLIENT_CA_FILE', 'tls.client_ca_file', 'string', 'CA of client certificates (mutual TLS).'],
    ['ENCRYPTION_KEYS', 'encryption.keys', 'list', 'Payload encryption keys `<id>:<base64>`, comma-separated; the first encrypts.'],
    ['ENCRYPTION_CODEC_CORS_ORIGINS', 'encryption.codec_cors_origins', 'list', 'Temporal UI origins allowed to call the codec endpoint.'],
    [
      'ENCRYPTION_IDENTIFIERS_IN_SEARCH_ATTRIBUTES',
      'encryption.identifiers_in_search_attributes',
      'boolean',
      'Pod, namespace and hostname in search attributes.',
    ],
    ['OTEL_TRACES_ENABLED', 'otel.traces_enabled', 'boolean', 'Export traces over OTLP gRPC.'],
    ['OTEL_METRICS_ENABLED', 'otel.metrics_enabled', 'boolean', 'Export metrics over OTLP gRPC.'],
    ['UI_BASE_URL', 'ui_base_url', 'string', 'Base URL of the Temporal UI, for links in notifications.'],
    ['PUBLIC_URL', 'public_url', 'string', "The ingest's URL as approvers reach it."],
    ['OTEL_METRICS_INTERVAL_SECONDS', 'otel.metrics_interval_seconds', 'string', 'Seconds between two metrics exports.'],
    ['OTEL_COLLECTOR_ENDPOINT', 'otel.collector_endpoint', 'string', 'Host of the OTLP collector.'],
    ['OTEL_COLLECTOR_PORT', 'otel.collector_port', 'string', 'Port of the OTLP collector.'],
    ['OTEL_COLLECTOR_USE_INSECURE_GRPC', 'otel.collector_use_insecure_grpc', 'boolean', 'Collector without TLS.'],
    ['OTEL_TIMEOUT', 'otel.timeout', 'string', 'Export timeout, in seconds.'],
    ['TEMPORAL_ADDRESS', 'temporal.address', 'string', 'Temporal frontend `host:port`; unset, `talon start` runs an embedded dev server.'],
    ['TEMPORAL_NAMESPACE', 'temporal.namespace', 'string', 'Temporal namespace.'],
    ['TEMPORAL_TASK_QUEUE', 'temporal.task_queue', 'string', 'Task queue of the playbook workers.'],
    ['TEMPORAL_API_KEY', 'temporal.api_key', 'string', 'API key (Temporal Cloud).'],
    ['TEMPORAL_TLS', 'temporal.tls.enabled', 'boolean', 'Connect to Temporal over TLS.'],
    ['TEMPORAL_TLS_SERVER_NAME', 'temporal.tls.server_name', 'string', 'Server name expected in the TLS certificate.'],
    ['TEMPORAL_TLS_CA_PATH', 'temporal.tls.ca_cert_path', 'string', 'CA certificate file (PEM).'],
    ['TEMPORAL_TLS_CLIENT_CERT_PATH', 'temporal.tls.client_cert_path', 'string', 'Client certificate (PEM), mTLS.'],
    ['TEMPORAL_TLS_CLIENT_KEY_PATH', 'temporal.tls.client_key_path', 'string', 'Client key file for mTLS (PEM).'],
    ['TEMPORAL_EMBEDDED_PORT', 'temporal.embedded.port', 'string', 'Port of the embedded dev server.'],
    ['TEMPORAL_EMBEDDED_UI_PORT', 'temporal.embedded.ui_port', 'string', 'Web UI port of the embedded dev server.'],
    ['TEMPORAL_EMBEDDED_DB_FILENAME', 'temporal.embedded.db_filename', 'string', 'Embedded dev server SQLite file.'],
    ['TEMPORAL_EMBEDDED_DB_SYNCHRONOUS', 'temporal.embedded.db_synchronous', 'string', 'How the embedded SQLite file commits: full or normal.'],
  ]),
  ...rows(true, [
    ['AWS_REGION', 'aws.region', 'string', 'AWS region.'],
    ['AWS_ACCESS_KEY', 'aws.access_key', 'string', 'AWS access key ID.'],
    ['AWS_SECRET_KEY', 'aws.secret_key', 'string', 'AWS secret access key.'],
    ['AWS_ROLE_ARN', 'aws.role_arn', 'string', 'Role to assume.'],
    ['AWS_EXTERNAL_ID', 'aws.external_id', 'string', 'External ID for the assumed role.'],
    ['AWS_ENDPOINT', 'aws.endpoint', 'string', 'Custom AWS endpoint (e.g. LocalStack).'],
    ['GCP_CREDENTIALS_PATH', 'gcp.credentials_path', 'string', 'Service-account key file.'],
    ['GCP_REGION', 'gcp.region', 'string', 'GCP region.'],
    ['GCP_ENDPOINT', 'gcp.endpoint', 'string', 'Custom GCP endpoint.'],
    ['GCP_PROJECT_ID', 'gcp.project_id', 'string', "Project of gcp:function (default: the credentials' project)."],
    ['GCP_FUNCTIONS_ENDPOINT', 'gcp.functions_endpoint', 'string', 'Custom Cloud Functions API endpoint.'],
    ['MINIO_ENDPOINT', 'minio.endpoint', 'string', 'MinIO `host:port`.'],
    ['MINIO_ACCESS_KEY', 'minio.access_key', 'string', 'MinIO access key.'],
    ['MINIO_SECRET_KEY', 'minio.secret_key', 'string', 'MinIO secret key.'],
    ['MINIO_USE_SSL', 'minio.use_ssl', 'boolean', 'Talk to MinIO over TLS.'],
    [
      'NOTIFIERS_<NAME>_<KEY>',
      'notifiers.<name>.<key>',
      'string',
      'Any notifier setting, e.g. NOTIFIERS_SLACK_WEBHOOK_URL; a boolean or list in the file stays one.',
    ],
  ]),
]);
