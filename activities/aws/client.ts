import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ApplicationFailure } from '@temporalio/common';
import type { TalonConfig } from '../../src/config/schema.ts';
import { permanent, retryable, truncate } from '../errors.ts';

type AwsConfig = TalonConfig['aws'];

/**
 * Credentials as Talon resolves them (reference §6.1): static keys only when region, access key and
 * secret key are all set, else the SDK's default chain; `role_arn` (+ `external_id`) is assumed on
 * top of either. `undefined` lets the SDK use its default chain.
 */
export function awsCredentials(aws: AwsConfig): LambdaClientConfig['credentials'] {
  const base = aws.region && aws.access_key && aws.secret_key ? { accessKeyId: aws.access_key, secretAccessKey: aws.secret_key } : undefined;
  const roleArn = aws.role_arn;
  if (!roleArn) return base;
  const assume = fromTemporaryCredentials({
    masterCredentials: base,
    params: { RoleArn: roleArn, ExternalId: aws.external_id, RoleSessionName: 'falco-talon' },
    // One endpoint for every service, as LocalStack and the test fakes serve them.
    clientConfig: { region: aws.region, endpoint: aws.endpoint, maxAttempts: 1 },
  });
  // Classified here so a denied AssumeRole names `sts:AssumeRole`, not the Lambda call it blocked.
  const classified: typeof assume = async (properties) => {
    try {
      return await assume(properties);
    } catch (error) {
      throw awsFailure(error, {
        what: `sts:AssumeRole of '${roleArn}'`,
        iamAction: 'sts:AssumeRole',
        notFound: () => permanent('RoleNotFound', `the role '${roleArn}' does not exist`),
      });
    }
  };
  return classified;
}

// The factories below make a new client on every call: the worker keeps one per configuration (and
// region) in its Clients (activities/clients.ts), so assumed-role credentials are reused until they
// expire. Each SDK is imported on first use: `aws:lambda` does not load the EC2 or S3 SDK.
// Temporal owns retries: SDK retries inside one attempt would hide throttling from the retry policy
// and stretch an attempt past its timeout, hence `maxAttempts: 1` everywhere.

/** A Lambda client; `aws.endpoint` overrides the endpoint (tests, LocalStack). */
export async function createLambdaClient(aws: AwsConfig): Promise<LambdaClient> {
  const { LambdaClient } = await import('@aws-sdk/client-lambda');
  return new LambdaClient({ region: aws.region, endpoint: aws.endpoint, credentials: awsCredentials(aws), maxAttempts: 1 });
}

/** An EC2 client for `region`; `aws.endpoint` overrides the endpoint (tests, LocalStack). */
export async function createEc2Client(aws: AwsConfig, region: string): Promise<EC2Client> {
  const { EC2Client } = await import('@aws-sdk/client-ec2');
  return new EC2Client({ region, endpoint: aws.endpoint, credentials: awsCredentials(aws), maxAttempts: 1 });
}

/**
 * An S3 client with Talon's AWS credentials (§6.1) for `region` (the caller passes `aws.region`
 * when the output names none; undefined leaves it to the SDK). `aws.endpoint` (LocalStack, MinIO, a
 * VPC endpoint) switches to path-style addressing: such endpoints rarely resolve `<bucket>.<host>`.
 */
export async function createS3Client(aws: AwsConfig, region: string | undefined): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({
    region,
    endpoint: aws.endpoint,
    forcePathStyle: aws.endpoint !== undefined,
    credentials: awsCredentials(aws),
    maxAttempts: 1,
  });
}

/** HTTP status and error code of an AWS service error; undefined for network or client-side errors. */
function serviceError(error: Error): { status: number; code: string } | undefined {
  if (!('$metadata' in error)) return undefined;
  const meta = error.$metadata;
  if (typeof meta !== 'object' || meta === null || !('httpStatusCode' in meta) || typeof meta.httpStatusCode !== 'number') return undefined;
  return { status: meta.httpStatusCode, code: error.name };
}

const THROTTLING = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'RequestLimitExceeded', 'EC2ThrottledException']);
/** 4xx codes a later attempt can get past: expired or clock-skewed signatures, a conflicting operation in progress. */
const TRANSIENT_4XX = new Set(['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'RequestTimeTooSkewed', 'ResourceConflictException']);

export interface AwsErrorContext {
  /** What was being done, e.g. `lambda:GetFunction on 'fn'`; starts every message. */
  readonly what: string;
  /** IAM action the call needs, named in `Forbidden` failures. */
  readonly iamAction: string;
  /** Failure to raise for a 404 / ResourceNotFoundException. */
  readonly notFound: () => ApplicationFailure;
}

/**
 * Classifies an AWS SDK error where it arises: throttling, 409 conflicts, expired signatures, 5xx and
 * network faults are retryable; missing resources, denied access and other 4xx are permanent (a
 * retry cannot change them).
 */
export function awsFailure(error: unknown, context: AwsErrorContext): ApplicationFailure {
  if (error instanceof ApplicationFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  const service = error instanceof Error ? serviceError(error) : undefined;
  const text = `${context.what}: ${truncate(message)}`;
  if (!service) {
    // Nothing reached AWS: a missing region or unusable credentials are configuration errors.
    if (/region is missing|could not load credentials/i.test(message)) return permanent('AwsConfigError', text);
    return retryable('AwsNetworkError', text);
  }
  const { status, code } = service;
  if (THROTTLING.has(code) || TRANSIENT_4XX.has(code) || status === 409 || status === 429 || status >= 500) return retryable(code, `${text} (${status})`);
  if (status === 404 || code === 'ResourceNotFoundException') return context.notFound();
  if (status === 401 || status === 403 || code.startsWith('AccessDenied')) {
    return permanent('Forbidden', `${context.what}: access denied (${code}); the identity needs '${context.iamAction}': ${truncate(message)}`);
  }
  return permanent(code, `${text} (${status})`);
}
