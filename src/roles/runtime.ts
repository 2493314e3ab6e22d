import type { Client } from '@temporalio/client';
import { catalog } from '../../activities/specs.ts';
import type { TalonConfig } from '../config/schema.ts';
import { createApp, type IngestDeps } from '../ingest/app.ts';
import { authConfigured, callerAuth } from '../ingest/auth.ts';
import { temporalStarter, type WorkflowStarter } from '../ingest/starter.ts';
import type { Logger } from '../log.ts';
import { startMetricsExport } from '../metrics/export.ts';
import { planSettingsFrom } from '../plan/settings.ts';
import { Metrics } from '../metrics/metrics.ts';
import type { SdkMetricUpdate } from '../metrics/temporal-sdk.ts';
import { loadRules, watchRules, type RuleError, type RuleSet } from '../rules/index.ts';
import { clientOn, connectClient, connectWorker, ensureSearchAttributes } from '../temporal/connection.ts';
import type { NativeConnection } from '@temporalio/worker';
import { AesGcmCodec } from '../temporal/codec.ts';
import { decide } from '../temporal/controls.ts';
import { startDevServer, type DevServer } from '../temporal/dev-server.ts';
import { parseEncryptionKeys } from '../temporal/encryption-keys.ts';
import type { TalonWorker } from '../worker/worker.ts';
import { listen, type RunningServer } from './ingest-server.ts';
import { checkNotifierConfigs, notifiersInUse } from './notifier-config.ts';
import { workerApp } from './worker-app.ts';

export interface RuntimeOptions {
  config: TalonConfig;
  log: Logger;
  ingest: boolean;
  worker: boolean;
  /** Run the embedded dev server when `temporal.address` is unset (`talon start`). */
  embed: boolean;
  /** The SDK core's metrics buffer (installTemporalLogger), drained into `/metrics`. */
  sdkMetrics?: { retrieveUpdates(): Iterable<SdkMetricUpdate> };
}

export interface Runtime {
  readonly temporalAddress: string;
  readonly uiUrl?: string;
  readonly ingestUrl?: string;
  /** Stop accepting, drain the worker, stop the embedded server. */
  stop(): Promise<void>;
}

/** What Falco Talon ignores in rule files (unknown parameter keys…): loaded, and said once. */
/** The codec endpoint's settings: the configured UI origins, plus the embedded UI's own. */
function codecSettings(config: TalonConfig, devServer: DevServer | undefined): IngestDeps['codec'] {
  if (config.encryption.keys.length === 0) return undefined;
  const embeddedUi = devServer?.uiUrl ? [devServer.uiUrl, devServer.uiUrl.replace('127.0.0.1', 'localhost')] : [];
  return { codec: new AesGcmCodec(parseEncryptionKeys(config.encryption.keys)), corsOrigins: [...config.encryption.codec_cors_origins, ...embeddedUi] };
}

function logWarnings(log: Logger, warnings: readonly RuleError[]): void {
  for (const warning of warnings) log.warn({ warning: warning.toString() }, 'rule file warning');
}

/** Thrown when start-up finds invalid rules or configuration; the message lists every problem. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

async function loadValidRules(config: TalonConfig, log: Logger): Promise<RuleSet> {
  const loaded = await loadRules(config.rules_files, catalog);
  logWarnings(log, loaded.warnings);
  if (!loaded.ok) throw new StartupError(`invalid rules:\n${loaded.errors.map(String).join('\n')}`);
  const errors = checkNotifierConfigs(config, notifiersInUse(config, loaded.ruleSet.rules));
  if (errors.length > 0) throw new StartupError(`invalid notifier configuration:\n${errors.join('\n')}`);
  return loaded.ruleSet;
}

/** Starts the roles asked for: `start` = all three, `serve` = ingest, `worker` = worker. */
export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, log } = options;
  const temporal = config.temporal;
  let ruleSet = options.ingest ? await loadValidRules(config, log) : undefined;
  const cleanups: (() => Promise<void>)[] = [];
  // Cleared first on stop: from then on alerts get 503 while the server closes.
  let accepting = true;
  const stop = async () => {
    accepting = false;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => log.error({ error: String(error) }, 'shutdown'));
  };
  try {
    let devServer: DevServer | undefined;
    if (options.embed && !temporal.address) {
      const { port, ui_port, db_filename, db_synchronous } = temporal.embedded;
      // With encryption on, the embedded UI decrypts through this process's ingest (`/codec`).
      const scheme = config.tls.cert_file ? 'https' : 'http';
      const uiCodecEndpoint = options.ingest && config.encryption.keys.length > 0 ? `${scheme}://127.0.0.1:${config.listen_port}/codec` : undefined;
      // Its failures (a taken port, a locked database file) are the server's own words, not a stack.
      devServer = await startDevServer({
        port,
        uiPort: ui_port,
        dbFilename: db_filename,
        dbSynchronous: db_synchronous,
        namespace: temporal.namespace,
        log,
        uiCodecEndpoint,
      }).catch((error: unknown) => {
        throw new StartupError(error instanceof Error ? error.message : String(error));
      });
      cleanups.push(() => devServer!.stop());
    }
    const address = devServer?.address ?? temporal.address ?? `127.0.0.1:${temporal.embedded.port}`;
    const metrics = new Metrics({ processMetrics: true });
    const sdkMetrics = options.sdkMetrics;
    if (sdkMetrics) {
      const stopFollowing = metrics.followSdkMetrics(() => sdkMetrics.retrieveUpdates());
      cleanups.push(() => Promise.resolve(stopFollowing()));
    }
    const { startTracing } = await import('../temporal/tracing.ts');
    const tracing = await startTracing(config.otel, options.worker && options.ingest ? 'start' : options.worker ? 'worker' : 'serve');
    cleanups.push(() => tracing.shutdown());
    // Pushed after the workers stop (cleanups run in reverse): the last export has their final counts.
    const metricsExport = await startMetricsExport(config.otel, tracing.resource, metrics);
    cleanups.push(() => metricsExport.shutdown());
    const auth = {
      tokens: config.auth.tokens,
      hmacSecrets: config.auth.hmac_secrets,
      hmacWindowSeconds: config.auth.hmac_window_seconds,
      mutualTls: config.tls.client_ca_file !== undefined,
    };
    const { cert_file, key_file, client_ca_file } = config.tls;
    const tls = cert_file && key_file ? { certFile: cert_file, keyFile: key_file, clientCaFile: client_ca_file } : undefined;

    let workerConnection: NativeConnection | undefined;
    // All-in-one: the worker yields workflow-task slots to the ingest's bursts (set once it exists).
    let starter: WorkflowStarter | undefined;
    if (options.worker) {
      // Loaded here only: `talon serve` never loads the worker, the activities or their SDKs.
      const { createWorker } = await import('../worker/worker.ts');
      const connection = await connectWorker(temporal, address);
      workerConnection = connection;
      cleanups.push(() => connection.close());
      const worker: TalonWorker = await createWorker({
        connection,
        namespace: temporal.namespace,
        taskQueue: temporal.task_queue,
        config,
        log,
        metrics,
        tracing,
        ...(options.ingest ? { ingestBusy: () => starter?.busy?.() ?? false } : {}),
      });
      const running = worker.run();
      let workerRunning = true;
      cleanups.push(async () => {
        workerRunning = false;
        worker.shutdown();
        await running;
      });
      if (!options.ingest) {
        // A worker alone still answers probes and scrapes; with the ingest, its port serves them.
        const guard = config.auth.protect_metrics && authConfigured(auth) ? callerAuth(auth) : (_c: unknown, next: () => Promise<void>) => next();
        const server = await listen(
          workerApp({ metrics, running: () => workerRunning, metricsGuard: guard }),
          config.listen_address,
          config.worker_metrics_port,
          tls,
        );
        log.info({ metrics: `${server.url}/metrics` }, 'worker metrics and health');
        cleanups.push(() => server.close());
      }
    }

    let server: RunningServer | undefined;
    if (options.ingest) {
      // All-in-one: the ingest starts on the worker's connection, eagerly while no other start is in
      // flight (the first workflow task comes back with the start's answer, no matching); alone, it
      // has its own gRPC client.
      const eager = workerConnection !== undefined;
      const client: Client = workerConnection
        ? await clientOn(workerConnection, temporal, config.encryption.keys, tracing.enabled)
        : await connectClient(temporal, address, config.encryption.keys, tracing.enabled, metrics.recordSdk);
      if (!eager) cleanups.push(() => client.connection.close());
      if (!devServer) await ensureSearchAttributes(client, temporal.namespace);
      const settings = planSettingsFrom(config, devServer?.uiUrl);
      starter = temporalStarter(client, temporal.task_queue, {
        concurrency: config.start_queue.concurrency,
        maxQueued: config.start_queue.max_queued,
        maxWaitMs: config.start_queue.max_wait_seconds * 1000,
        eager,
      });
      const app = createApp({
        rules: () => ruleSet!,
        starter,
        metrics,
        log,
        maxBodyBytes: config.max_body_bytes,
        dedupWindowSeconds: config.deduplication.time_window_seconds,
        defaultNotifiers: config.default_notifiers,
        printAllEvents: config.print_all_events,
        auth,
        protectMetrics: config.auth.protect_metrics,
        accepting: () => accepting,
        codec: codecSettings(config, devServer),
        identifiersInSearchAttributes: config.encryption.identifiers_in_search_attributes,
        governor: settings.governor,
        links: settings.links,
        approvals: (workflowId, decision) => decide(client, workflowId, decision),
      });
      server = await listen(app, config.listen_address, config.listen_port, tls);
      if (!authConfigured(auth)) {
        log.warn(
          { ingest: server.url },
          'ingest authentication is off: anyone who can reach this port can start playbooks (set auth.tokens, auth.hmac_secrets or tls.client_ca_file)',
        );
      }
      cleanups.push(() => server!.close());
      if (config.watch_rules) {
        const watcher = watchRules(
          config.rules_files,
          catalog,
          (next, warnings) => {
            logWarnings(log, warnings);
            ruleSet = next;
            log.info({ rules: next.rules.length }, 'rules reloaded');
          },
          (errors) => log.error({ errors: errors.map(String) }, 'rules reload refused, the previous rules stay in force'),
        );
        cleanups.push(() => Promise.resolve(watcher.close()));
      }
    }
    log.info({ temporal: address, ui: devServer?.uiUrl, ingest: server?.url, taskQueue: temporal.task_queue }, 'talon started');
    return { temporalAddress: address, uiUrl: devServer?.uiUrl, ingestUrl: server?.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
