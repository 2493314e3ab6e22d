import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { permanent, truncate } from '../errors.ts';
import type { ActionnerDescriptor, ActionResult } from '../types.ts';
import { awsFailure, lambdaClient } from './client.ts';

const params = z
  .object({
    aws_lambda_name: z.string().min(1),
    /** @default "$LATEST" */
    aws_lambda_alias_or_version: z.string().min(1).default('$LATEST'),
    /** @default "RequestResponse" */
    aws_lambda_invocation_type: z.enum(['RequestResponse', 'Event', 'DryRun']).default('RequestResponse'),
  })
  .strict();

export type AwsLambdaParams = z.infer<typeof params>;

function notFound(name: string, qualifier: string) {
  return () => permanent('FunctionNotFound', `the function '${name}' (qualifier '${qualifier}') does not exist`);
}

/** `errorType` of a function error payload (`{errorType, errorMessage, …}`), when it has one. */
const functionErrorPayload = z.object({ errorType: z.string().optional(), errorMessage: z.string().optional() });
function describeFunctionError(kind: string, payload: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    parsed = undefined;
  }
  const fields = functionErrorPayload.safeParse(parsed);
  const errorType = fields.success && fields.data.errorType ? `, ${fields.data.errorType}` : '';
  return `(${kind}${errorType}): ${truncate(payload)}`;
}

/**
 * `aws:lambda`: invokes a function with the alert and its context. Unlike the reference, a function
 * error or an unexpected status fails the action (reference §11.7).
 */
export const awsLambda: ActionnerDescriptor<AwsLambdaParams> = {
  name: 'aws:lambda',
  category: 'aws',
  description: 'Invoke an AWS Lambda function with the event and its context as payload',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  usesContext: true,
  // No STS GetCallerIdentity probe (the reference's start-up check): clients are created lazily,
  // so a bad identity surfaces, classified, on the GetFunction check of the first action.
  // With `aws.role_arn`, the base identity also needs sts:AssumeRole on that role.
  permissions: { iam: ['lambda:GetFunction', 'lambda:InvokeFunction'] },
  // Covers a synchronous invoke of a function at Lambda's 900 s maximum; a rule may set a lower `timeout`.
  timeout: '16m',
  example: `- action: Invoke Lambda function
  actionner: aws:lambda
  parameters:
    aws_lambda_name: sample-function
    aws_lambda_alias_or_version: $LATEST
    aws_lambda_invocation_type: RequestResponse
`,
  async checks({ parameters }, deps) {
    const name = parameters.aws_lambda_name;
    const qualifier = parameters.aws_lambda_alias_or_version;
    try {
      await lambdaClient(deps.config).send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
    } catch (error) {
      throw awsFailure(error, { what: `lambda:GetFunction on '${name}'`, iamAction: 'lambda:GetFunction', notFound: notFound(name, qualifier) });
    }
  },
  async run({ event, context, parameters }, deps): Promise<ActionResult> {
    const name = parameters.aws_lambda_name;
    const qualifier = parameters.aws_lambda_alias_or_version;
    const command = new InvokeCommand({
      FunctionName: name,
      Qualifier: qualifier,
      InvocationType: parameters.aws_lambda_invocation_type,
      Payload: Buffer.from(JSON.stringify({ ...event, context })),
    });
    const response = await lambdaClient(deps.config)
      .send(command)
      .catch((error: unknown) => {
        throw awsFailure(error, { what: `lambda:InvokeFunction on '${name}'`, iamAction: 'lambda:InvokeFunction', notFound: notFound(name, qualifier) });
      });
    const payload = Buffer.from(response.Payload ?? new Uint8Array());
    // The function ran and failed (or Lambda answered oddly): retrying would run it again for the
    // same alert, so these are permanent.
    if (response.FunctionError) {
      throw permanent('LambdaFunctionError', `the lambda '${name}' failed ${describeFunctionError(response.FunctionError, payload.toString('utf8'))}`);
    }
    // The SDK already throws for an HTTP error status; this guards a reply without one.
    const status = response.StatusCode ?? 0;
    if (status < 200 || status >= 300) {
      throw permanent('LambdaUnexpectedStatus', `the lambda '${name}' answered status ${status}: ${truncate(payload.toString('utf8'))}`);
    }
    const objects: Record<string, string> = { name, version: qualifier };
    if (response.ExecutedVersion) objects.executed_version = response.ExecutedVersion;
    return {
      status: 'success',
      result: `the lambda '${name}' has been invoked (${parameters.aws_lambda_invocation_type}, status ${status})`,
      objects,
      ...(payload.length > 0 ? { artifact: { name: 'lambda-response', contentType: 'application/json', body: payload } } : {}),
    };
  },
};
