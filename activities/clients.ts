import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Storage } from '@google-cloud/storage';
import type { TalonConfig } from '../src/config/schema.ts';
import type { GcpAuth } from './gcp/auth.ts';
import type { KubeApis } from './kubernetes/client.ts';

/**
 * The SDK clients implementations use, handed to them by the worker (never module-level caches).
 * Each is created on first use, so a worker whose rules never touch AWS does not even load its SDK,
 * and kept for the worker's life so credentials and connections are reused.
 */
export interface Clients {
  kubernetes(): Promise<KubeApis>;
  lambda(): Promise<LambdaClient>;
  ec2(region: string): Promise<EC2Client>;
  /** `aws:s3`; `region` over `aws.region`. */
  s3(region: string | undefined): Promise<S3Client>;
  minio(): Promise<S3Client>;
  gcs(): Promise<Storage>;
  gcpAuth(): Promise<GcpAuth>;
}

/** Clients built from one configuration, each lazily (module loaded and client made on first call). */
export function createClients(config: TalonConfig): Clients {
  const made = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, make: () => Promise<T>): Promise<T> => {
    let client = made.get(key) as Promise<T> | undefined;
    if (!client) {
      // A failure (an unreadable kubeconfig, a key file fixed since) is not kept: the next attempt retries.
      client = make().catch((error: unknown) => {
        made.delete(key);
        throw error;
      });
      made.set(key, client);
    }
    return client;
  };
  return {
    kubernetes: () => once('kubernetes', async () => (await import('./kubernetes/client.ts')).createKubeApis(config.kubeconfig)),
    lambda: () => once('lambda', async () => (await import('./aws/client.ts')).createLambdaClient(config.aws)),
    ec2: (region) => once(`ec2/${region}`, async () => (await import('./aws/client.ts')).createEc2Client(config.aws, region)),
    s3: (region) => {
      const effective = region ?? config.aws.region;
      return once(`s3/${effective ?? ''}`, async () => (await import('./aws/client.ts')).createS3Client(config.aws, effective));
    },
    minio: () => once('minio', async () => (await import('./outputs/minio-s3.ts')).createMinioClient(config.minio)),
    gcs: () => once('gcs', async () => (await import('./outputs/gcp-gcs.ts')).createStorage(config.gcp)),
    gcpAuth: () => once('gcpAuth', async () => (await import('./gcp/auth.ts')).createGcpAuth(config.gcp)),
  };
}
