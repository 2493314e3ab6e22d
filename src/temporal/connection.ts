import { readFileSync } from 'node:fs';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionLike } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { TalonConfig } from '../config/schema.ts';
import type { SdkMetricUpdate } from '../metrics/temporal-sdk.ts';
import { clientMetricsInterceptor } from './client-metrics.ts';
import { dataConverterFor } from './codec.ts';
import { SEARCH_ATTRIBUTES } from './search-attributes.ts';

type TemporalConfig = TalonConfig['temporal'];

/** Address, TLS and API key for both the client and the worker's native connection. */
export function connectionOptions(temporal: TemporalConfig, address: string) {
  const tls = temporal.tls;
  const tlsOption =
    tls.enabled || tls.ca_cert_path || tls.client_cert_path
      ? {
          serverNameOverride: tls.server_name,
          serverRootCACertificate: tls.ca_cert_path ? readFileSync(tls.ca_cert_path) : undefined,
          clientCertPair:
            tls.client_cert_path && tls.client_key_path ? { crt: readFileSync(tls.client_cert_path), key: readFileSync(tls.client_key_path) } : undefined,
        }
      : undefined;
  // Temporal Cloud API keys imply TLS.
  return { address, tls: tlsOption ?? (temporal.api_key ? true : undefined), apiKey: temporal.api_key };
}

/**
 * A client; with `encryptionKeys`, payloads are encrypted and decrypted by the AES-256-GCM codec;
 * with `traced`, workflow starts carry the active trace (Temporal's OpenTelemetry interceptor);
 * with `recordMetric`, each request is counted and timed (Temporal's client metrics).
 */
export async function connectClient(
  temporal: TemporalConfig,
  address: string,
  encryptionKeys: readonly string[] = [],
  traced = false,
  recordMetric?: (update: SdkMetricUpdate) => void,
): Promise<Client> {
  const grpcInterceptors = [
    makeGrpcRetryInterceptor(defaultGrpcRetryOptions()),
    ...(recordMetric ? [clientMetricsInterceptor(recordMetric, temporal.namespace)] : []),
  ];
  const connection = await Connection.connect({ ...connectionOptions(temporal, address), connectTimeout: 5000, interceptors: grpcInterceptors });
  return clientOn(connection, temporal, encryptionKeys, traced);
}

/**
 * A client on an existing connection — in `talon start`, the worker's own, so starts can be eager
 * (the SDK core measures its requests with the worker's). Closing it is the connection owner's job.
 */
export async function clientOn(connection: ConnectionLike, temporal: TemporalConfig, encryptionKeys: readonly string[] = [], traced = false): Promise<Client> {
  // Loaded only when tracing: the interceptor brings in OpenTelemetry's SDK.
  const interceptors = traced
    ? { workflow: [new (await import('@temporalio/interceptors-opentelemetry')).OpenTelemetryWorkflowClientInterceptor()] }
    : undefined;
  return new Client({ connection, namespace: temporal.namespace, dataConverter: dataConverterFor(encryptionKeys), interceptors });
}

/** The worker's connection; the worker package (native core, ~100 MB) loads only in worker roles. */
export async function connectWorker(temporal: TemporalConfig, address: string): Promise<NativeConnection> {
  const { NativeConnection } = await import('@temporalio/worker');
  return NativeConnection.connect(connectionOptions(temporal, address));
}

/**
 * Registers the playbook search attributes that the namespace lacks (a remote cluster; the embedded
 * server gets them at start). Needs operator rights; without them, say what to register.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<void> {
  const operator = client.connection.operatorService;
  const existing = await operator.listSearchAttributes({ namespace });
  const known = new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  const typeCode: Record<string, number> = { KEYWORD: 2, BOOL: 5, DATETIME: 6, KEYWORD_LIST: 7 };
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  try {
    await operator.addSearchAttributes({ namespace, searchAttributes: Object.fromEntries(missing.map((k) => [k.name, typeCode[k.type] ?? 2])) });
  } catch (error) {
    const names = missing.map((k) => `${k.name}=${k.type}`).join(', ');
    throw new Error(`cannot register search attributes ${names} in namespace '${namespace}': ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
