import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'talon-config-'));
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.message).toBe(error.problems.join('\n'));
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const DEFAULTS = {
  listen_address: '0.0.0.0',
  listen_port: 2803,
  worker_metrics_port: 2804,
  worker_max_cached_workflows: 200,
  rules_files: ['playbooks/rules.yaml'],
  kubeconfig: '',
  log_format: 'color',
  log_level: 'info',
  watch_rules: true,
  print_all_events: false,
  max_body_bytes: 1048576,
  start_queue: { concurrency: 32, max_queued: 10000, max_wait_seconds: 60 },
  auth: { tokens: [], hmac_secrets: [], hmac_window_seconds: 300, protect_metrics: false },
  tls: {},
  encryption: { keys: [], codec_cors_origins: [], identifiers_in_search_attributes: true },
  deduplication: { leader_election: true, time_window_seconds: 5 },
  default_notifiers: [],
  notifiers: {},
  otel: {
    traces_enabled: false,
    metrics_enabled: false,
    metrics_interval_seconds: 10,
    collector_endpoint: 'localhost',
    collector_port: 4317,
    collector_use_insecure_grpc: false,
    timeout: 10,
  },
  aws: {},
  gcp: {},
  minio: { use_ssl: false },
  governor: {
    destructive: ['kubernetes:terminate', 'kubernetes:delete', 'kubernetes:drain', 'kubernetes:cordon'],
    limits: [],
    over_budget: 'dry_run',
    approval: { timeout: '15m', default: 'deny', approvers: [] },
  },
  temporal: {
    namespace: 'default',
    task_queue: 'talon',
    tls: { enabled: false },
    embedded: { port: 7233, ui_port: 8233, db_filename: '.data/temporal.db', db_synchronous: 'full' },
  },
};

describe('loadConfig defaults', () => {
  it('returns the schema defaults when there is no file and no environment', () => {
    expect(loadConfig({ env: {} })).toEqual(DEFAULTS);
  });

  it('treats an empty file as an empty mapping', () => {
    expect(loadConfig({ file: file('empty.yaml', ''), env: {} })).toEqual(DEFAULTS);
  });

  it('treats a key left empty, or a section with every entry commented out, as not set', () => {
    const path = file('nulls.yaml', 'kubeconfig:\naws:\n#  region: eu-west-1\ntemporal:\n  address:\n');
    expect(loadConfig({ file: path, env: {} })).toEqual(DEFAULTS);
  });

  it('fills the defaults of a section the file gives only partly', () => {
    const config = loadConfig({ file: file('partial.yaml', 'temporal:\n  embedded:\n    port: 7000\n'), env: {} });
    expect(config.temporal.embedded).toEqual({ port: 7000, ui_port: 8233, db_filename: '.data/temporal.db', db_synchronous: 'full' });
    expect(config.temporal.tls).toEqual({ enabled: false });
  });

  it('returns a deeply frozen object', () => {
    const config = loadConfig({ env: {} });
    expect([Object.isFrozen(config), Object.isFrozen(config.rules_files), Object.isFrozen(config.temporal.embedded)]).toEqual([true, true, true]);
  });
});

describe('loadConfig file', () => {
  it('reads values from a YAML file', () => {
    const path = file(
      'talon.yaml',
      [
        'listen_port: "3000"',
        'rules_files: [a.yaml, b.yaml]',
        'watch_rules: false',
        'deduplication:',
        '  time_window_seconds: 30',
        'default_notifiers: [slack]',
        'notifiers:',
        '  slack:',
        '    webhook_url: https://hooks.example/x',
        'aws:',
        '  region: eu-west-1',
        'temporal:',
        '  address: temporal:7233',
        '  tls: { enabled: true, server_name: temporal.example }',
      ].join('\n'),
    );
    const config = loadConfig({ file: path, env: {} });
    expect(config.listen_port).toBe(3000);
    expect(config.rules_files).toEqual(['a.yaml', 'b.yaml']);
    expect(config.watch_rules).toBe(false);
    expect(config.deduplication).toEqual({ leader_election: true, time_window_seconds: 30 });
    expect(config.default_notifiers).toEqual(['slack']);
    expect(config.notifiers).toEqual({ slack: { webhook_url: 'https://hooks.example/x' } });
    expect(config.aws).toEqual({ region: 'eu-west-1' });
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.temporal.tls).toEqual({ enabled: true, server_name: 'temporal.example' });
  });

  it('reads values from a JSON file', () => {
    const path = file('talon.json', '{\n\t"listen_address": "127.0.0.1",\n\t"print_all_events": true\n}\n');
    const config = loadConfig({ file: path, env: {} });
    expect([config.listen_address, config.print_all_events]).toEqual(['127.0.0.1', true]);
  });
});

describe('loadConfig environment', () => {
  it('overrides the file with the variable named after the key', () => {
    const path = file('env.yaml', 'listen_port: 3000\nlog_level: info\n');
    const config = loadConfig({ file: path, env: { LISTEN_PORT: '4000', LOG_LEVEL: 'debug', KUBECONFIG: '/k' } });
    expect([config.listen_port, config.log_level, config.kubeconfig]).toEqual([4000, 'debug', '/k']);
  });

  it("bounds the worker's cache of playbook runs: 200 unless set, WORKER_MAX_CACHED_WORKFLOWS sets it", () => {
    expect(loadConfig({ env: {} }).worker_max_cached_workflows).toBe(200);
    expect(loadConfig({ env: { WORKER_MAX_CACHED_WORKFLOWS: '50' } }).worker_max_cached_workflows).toBe(50);
    expect(() => loadConfig({ env: { WORKER_MAX_CACHED_WORKFLOWS: '-1' } })).toThrow(/worker_max_cached_workflows/);
  });

  it('splits list variables on commas, trimming items and dropping empty ones', () => {
    const config = loadConfig({ env: { RULES_FILES: 'a.yaml, b.yaml,,', DEFAULT_NOTIFIERS: 'slack,webhook' } });
    expect(config.rules_files).toEqual(['a.yaml', 'b.yaml']);
    expect(config.default_notifiers).toEqual(['slack', 'webhook']);
  });

  it('reads booleans as true or false in any case', () => {
    const config = loadConfig({ env: { WATCH_RULES: 'FALSE', PRINT_ALL_EVENTS: 'True', OTEL_TRACES_ENABLED: 'true' } });
    expect([config.watch_rules, config.print_all_events, config.otel.traces_enabled]).toEqual([false, true, true]);
  });

  it('overrides nested keys', () => {
    const config = loadConfig({
      env: { DEDUPLICATION_TIME_WINDOW_SECONDS: '60', OTEL_COLLECTOR_ENDPOINT: 'otel', OTEL_COLLECTOR_PORT: '4318', OTEL_TIMEOUT: '2.5' },
    });
    expect(config.deduplication.time_window_seconds).toBe(60);
    expect(config.otel).toMatchObject({ collector_endpoint: 'otel', collector_port: 4318, timeout: 2.5 });
  });

  it('ignores variables that are set but empty', () => {
    expect(loadConfig({ env: { LISTEN_PORT: '', WATCH_RULES: '' } })).toEqual(DEFAULTS);
  });

  it("reads the temporal section from Temporal's own variable names", () => {
    const config = loadConfig({
      env: {
        TEMPORAL_ADDRESS: 'temporal.example:7233',
        TEMPORAL_NAMESPACE: 'security',
        TEMPORAL_TASK_QUEUE: 'playbooks',
        TEMPORAL_API_KEY: 'key',
        TEMPORAL_TLS: 'true',
        TEMPORAL_TLS_SERVER_NAME: 'temporal.example',
        TEMPORAL_TLS_CA_PATH: '/ca.pem',
        TEMPORAL_TLS_CLIENT_CERT_PATH: '/cert.pem',
        TEMPORAL_TLS_CLIENT_KEY_PATH: '/key.pem',
        TEMPORAL_EMBEDDED_PORT: '17233',
        TEMPORAL_EMBEDDED_UI_PORT: '18233',
        TEMPORAL_EMBEDDED_DB_FILENAME: '/var/lib/talon/temporal.db',
        TEMPORAL_EMBEDDED_DB_SYNCHRONOUS: 'normal',
      },
    });
    expect(config.temporal).toEqual({
      address: 'temporal.example:7233',
      namespace: 'security',
      task_queue: 'playbooks',
      api_key: 'key',
      tls: {
        enabled: true,
        server_name: 'temporal.example',
        ca_cert_path: '/ca.pem',
        client_cert_path: '/cert.pem',
        client_key_path: '/key.pem',
      },
      embedded: { port: 17233, ui_port: 18233, db_filename: '/var/lib/talon/temporal.db', db_synchronous: 'normal' },
    });
  });

  it('rejects a boolean variable that is not true or false, naming the variable', () => {
    expect(problemsOf(() => loadConfig({ env: { WATCH_RULES: 'yes', TEMPORAL_TLS: '1' } }))).toEqual([
      "watch_rules: environment variable WATCH_RULES must be true or false, got 'yes'",
      "temporal.tls.enabled: environment variable TEMPORAL_TLS must be true or false, got '1'",
    ]);
  });

  it('names the variable when its value fails validation', () => {
    expect(problemsOf(() => loadConfig({ env: { LISTEN_PORT: 'http' } }))).toEqual([
      'listen_port: expected number, received NaN (from environment variable LISTEN_PORT)',
    ]);
    expect(problemsOf(() => loadConfig({ env: { TEMPORAL_EMBEDDED_DB_SYNCHRONOUS: 'off' } }))).toEqual([
      'temporal.embedded.db_synchronous: Invalid option: expected one of "full"|"normal" (from environment variable TEMPORAL_EMBEDDED_DB_SYNCHRONOUS)',
    ]);
  });
});

describe('loadConfig keys without a default (aws, gcp, minio, notifiers)', () => {
  it('ignores their variables when the file does not set the key', () => {
    const config = loadConfig({ env: { AWS_REGION: 'us-east-1', MINIO_USE_SSL: 'true', NOTIFIERS_SLACK_WEBHOOK_URL: 'https://x' } });
    expect([config.aws, config.minio, config.notifiers]).toEqual([{}, { use_ssl: false }, {}]);
  });

  it('reads their variables when the file sets the key', () => {
    const path = file(
      'cloud.yaml',
      'aws:\n  region: eu-west-1\ngcp:\n  region: europe-west1\nminio:\n  use_ssl: false\nnotifiers:\n  slack:\n    webhook_url: https://a\n',
    );
    const env = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY: 'ignored: not in the file',
      GCP_REGION: 'us-central1',
      MINIO_USE_SSL: 'TRUE',
      NOTIFIERS_SLACK_WEBHOOK_URL: 'https://b',
    };
    const config = loadConfig({ file: path, env });
    expect(config.aws).toEqual({ region: 'us-east-1' });
    expect(config.gcp).toEqual({ region: 'us-central1' });
    expect(config.minio).toEqual({ use_ssl: true });
    expect(config.notifiers).toEqual({ slack: { webhook_url: 'https://b' } });
  });

  it('keeps a notifier boolean a boolean and a notifier list a list', () => {
    const path = file('notifiers.yaml', 'notifiers:\n  smtp:\n    tls: false\n    to: [a@example.com]\n');
    const config = loadConfig({ file: path, env: { NOTIFIERS_SMTP_TLS: 'true', NOTIFIERS_SMTP_TO: 'b@example.com,c@example.com' } });
    expect(config.notifiers).toEqual({ smtp: { tls: true, to: ['b@example.com', 'c@example.com'] } });
    expect(problemsOf(() => loadConfig({ file: path, env: { NOTIFIERS_SMTP_TLS: 'maybe' } }))).toEqual([
      "notifiers.smtp.tls: environment variable NOTIFIERS_SMTP_TLS must be true or false, got 'maybe'",
    ]);
  });
});

describe('loadConfig errors', () => {
  it('lists every invalid value with its key path and reason', () => {
    const path = file(
      'invalid.yaml',
      'listen_port: 70000\nlog_level: loud\nwatch_rules: yes\nrules_files: [a.yaml, ""]\ntemporal:\n  embedded:\n    port: true\n',
    );
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual([
      'listen_port: Too big: expected number to be <=65535',
      'rules_files.1: Too small: expected string to have >=1 characters',
      'log_level: Invalid option: expected one of "trace"|"debug"|"info"|"warn"|"error"',
      'watch_rules: expected boolean, received string',
      'temporal.embedded.port: expected number, received boolean',
    ]);
  });

  it('rejects unknown keys, naming them', () => {
    const path = file('unknown.yaml', 'listen_prot: 2803\ntemporal:\n  tls:\n    enable: true\n');
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual(['temporal.tls.enable: unknown key', 'listen_prot: unknown key']);
  });

  it('reports a file it cannot read', () => {
    const path = join(dir, 'missing.yaml');
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual([
      `error when reading config file '${path}': ENOENT: no such file or directory, open '${path}'`,
    ]);
    expect(problemsOf(() => loadConfig({ file: dir, env: {} }))[0]).toMatch(/^error when reading config file '.*': EISDIR/);
  });

  it('reports a YAML syntax error with its line', () => {
    const path = file('broken.yaml', 'listen_port: 2803\nrules_files: [a.yaml\nwatch_rules: true\n');
    const problems = problemsOf(() => loadConfig({ file: path, env: {} }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(new RegExp(`^error when parsing config file '${path}' at line \\d+, column \\d+: .+`));
  });

  it('reports a duplicate key as a YAML error at its line', () => {
    const path = file('duplicate.yaml', 'listen_port: 1\nlisten_port: 2\n');
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual([
      `error when parsing config file '${path}' at line 2, column 1: Map keys must be unique`,
    ]);
  });

  it('rejects a file whose top level is not a mapping', () => {
    const path = file('list.yaml', '- a\n- b\n');
    expect(problemsOf(() => loadConfig({ file: path, env: {} }))).toEqual([`error when parsing config file '${path}': expected a mapping of keys, got a list`]);
  });
});
