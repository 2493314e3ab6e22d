import { cancellationSignal } from '../activity-context.ts';
import { GetFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { permanent, truncate } from '../errors.ts';
import type { ActionnerImplementation, ActionResult } from '../types.ts';
import { awsFailure } from './client.ts';
import { awsLambdaSpec, type AwsLambdaParams } from './lambda.spec.ts';

export type { AwsLambdaParams } from './lambda.spec.ts';

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
export const awsLambda: ActionnerImplementation<AwsLambdaParams> = {
  spec: awsLambdaSpec,
  async checks({ parameters }, deps) {
    const name = parameters.aws_lambda_name;
    const qualifier = parameters.aws_lambda_alias_or_version;
    try {
      await (await deps.clients.lambda()).send(new GetFunctionCommand({ FunctionName: name, Qualifier: qualifier }));
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
    const client = await deps.clients.lambda();
    // A cancelled playbook stops waiting for the function (which may still run to its end).
    const response = await client.send(command, { abortSignal: cancellationSignal() }).catch((error: unknown) => {
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
