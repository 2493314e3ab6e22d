import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    aws_lambda_name: z.string().min(1).describe('Name (or ARN) of the Lambda function to invoke.'),
    aws_lambda_alias_or_version: z.string().min(1).default('$LATEST').describe('Alias or version of the function (the qualifier).'),
    aws_lambda_invocation_type: z
      .enum(['RequestResponse', 'Event', 'DryRun'])
      .default('RequestResponse')
      .describe('`RequestResponse` waits for the answer, `Event` invokes asynchronously, `DryRun` only checks the call is allowed.'),
  })
  .strict();

export type AwsLambdaParams = z.infer<typeof params>;

/**
 * `aws:lambda`: invokes a function with the alert and its context. Unlike the reference, a function
 * error or an unexpected status fails the action (reference §11.7).
 */
export const awsLambdaSpec: ActionnerSpec<AwsLambdaParams> = {
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
  rerun: "Invokes the function again with the same payload (the alert and its context): make the function idempotent, e.g. keyed on the alert's `output`.",
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
};
