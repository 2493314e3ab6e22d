import { readFile } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';
import { GoogleAuth, type IdTokenClient } from 'google-auth-library';
import { z } from 'zod';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent, retryable, truncate } from '../errors.ts';
import type { Deps } from '../types.ts';

type GcpConfig = TalonConfig['gcp'];

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
/** Token endpoints google-auth-library 9 posts to, whatever the key file says. */
const LIBRARY_TOKEN_URLS = new Set(['https://www.googleapis.com/oauth2/v4/token', 'https://oauth2.googleapis.com/token']);

const keyFile = z.object({ type: z.string().optional(), token_uri: z.url().optional() });

/**
 * The key's `token_uri` when the library would not post there itself (a private endpoint, an
 * emulator). Go and Python clients honour `token_uri`; the Node library always posts to Google's URL.
 */
async function customTokenUri(path: string): Promise<string | undefined> {
  const key = keyFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
  const uri = key.success && key.data.type === 'service_account' ? key.data.token_uri : undefined;
  return uri && !LIBRARY_TOKEN_URLS.has(uri) ? uri : undefined;
}

/** Google credentials of one configuration; the worker keeps one (Clients.gcpAuth), so tokens are reused between actions. */
export interface GcpAuth {
  readonly auth: GoogleAuth;
  /** ID-token clients by audience; each keeps its token until it nears expiry. */
  readonly idClients: Map<string, Promise<IdTokenClient>>;
}

async function createAuth(gcp: GcpConfig): Promise<GcpAuth> {
  // FIX (reference §11.13): `credentials_path` is a path to a key file, not JSON content.
  const path = gcp.credentials_path;
  const auth = new GoogleAuth({ keyFilename: path, scopes: [CLOUD_PLATFORM], projectId: gcp.project_id });
  const tokenUri = path ? await customTokenUri(path) : undefined;
  // Access and ID tokens are both fetched through this cached client's transport. Temporal owns
  // retries (as with AWS), so the library's own retries are off; a custom `token_uri` is honoured.
  const client = await auth.getClient();
  client.gaxios?.interceptors.request.add({
    resolved: (options) => {
      const url = tokenUri && typeof options.url === 'string' && LIBRARY_TOKEN_URLS.has(options.url) ? tokenUri : options.url;
      return Promise.resolve({ ...options, url, retryConfig: { ...options.retryConfig, retry: 0, noResponseRetries: 0 } });
    },
  });
  return { auth, idClients: new Map() };
}

/**
 * A new GcpAuth (no caching: the worker's Clients keep it). Failures are classified (gcpAuthFailure):
 * an unreadable key file is permanent.
 */
export async function createGcpAuth(gcp: GcpConfig): Promise<GcpAuth> {
  try {
    return await createAuth(gcp);
  } catch (error) {
    throw gcpAuthFailure(error);
  }
}

/** The worker's GcpAuth, its failures classified as createGcpAuth does. */
export async function gcpAuthOf(deps: Pick<Deps, 'clients'>): Promise<GcpAuth> {
  try {
    return await deps.clients.gcpAuth();
  } catch (error) {
    throw gcpAuthFailure(error);
  }
}

const gaxiosShape = z.object({ response: z.object({ status: z.number() }) });
const codeShape = z.object({ code: z.string() });
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EPIPE', 'UND_ERR_SOCKET']);

/**
 * Classifies credential errors: an unreadable key, a refused grant (4xx from the token service) or
 * no credentials at all is permanent; a token service that is down (5xx, 429, network) is retried.
 */
export function gcpAuthFailure(error: unknown): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const response = gaxiosShape.safeParse(error);
  const status = response.success ? response.data.response.status : undefined;
  if (status !== undefined && status >= 400 && status < 500 && status !== 429)
    return permanent('GcpAuthError', `GCP credentials refused (${status}): ${truncate(message)}`);
  const code = codeShape.safeParse(error);
  if (status !== undefined || (code.success && NETWORK_CODES.has(code.data.code)))
    return retryable('GcpAuthUnavailable', `GCP token service: ${truncate(message)}`);
  return permanent('GcpConfigError', `GCP credentials (gcp.credentials_path or application default credentials): ${truncate(message)}`);
}

/** `Authorization` (and quota-project) headers with an OAuth access token, for Google APIs. */
export async function accessTokenHeaders(gcp: GcpAuth, url: string): Promise<Record<string, string>> {
  try {
    const client = await gcp.auth.getClient();
    return { ...(await client.getRequestHeaders(url)) };
  } catch (error) {
    throw gcpAuthFailure(error);
  }
}

/** `Authorization` header with an ID token whose audience is `audience` (the function's URL). */
export async function idTokenHeaders(gcp: GcpAuth, audience: string): Promise<Record<string, string>> {
  try {
    const { auth, idClients } = gcp;
    let client = idClients.get(audience);
    if (!client) {
      client = auth.getIdTokenClient(audience);
      idClients.set(audience, client);
      client.catch(() => idClients.delete(audience));
    }
    return { ...(await (await client).getRequestHeaders(audience)) };
  } catch (error) {
    throw gcpAuthFailure(error);
  }
}

/** `gcp.project_id`, else the credentials' project (key file `project_id`, environment, metadata server). */
export async function projectId(deps: Pick<Deps, 'config' | 'clients'>): Promise<string> {
  if (deps.config.gcp.project_id) return deps.config.gcp.project_id;
  const { auth } = await gcpAuthOf(deps);
  try {
    return await auth.getProjectId();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw permanent('GcpConfigError', `the GCP project is unknown: set gcp.project_id or use credentials that name one (${truncate(message)})`);
  }
}
