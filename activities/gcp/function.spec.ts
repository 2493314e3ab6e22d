import { z } from 'zod';
import type { ActionnerSpec } from '../../src/contract/index.ts';

const params = z
  .object({
    gcp_function_name: z.string().min(1).describe('Name of the Cloud Function (its short name, not the full resource name).'),
    gcp_function_location: z.string().min(1).describe('Region of the function, e.g. `us-central1`.'),
    gcp_function_timeout: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(0)
      .describe(
        "Seconds to wait for the function's answer (FIX §11.13: the reference used nanoseconds); 0 means 540 s. Above 540, raise the action's `timeout:` too. Cloud Functions' own limit is 3600 s.",
      ),
  })
  .strict();

export type GcpFunctionParams = z.infer<typeof params>;

/**
 * `gcp:function`: calls a Cloud Function's HTTPS trigger with the event and its Talon context,
 * authenticated with an ID token for the function's URL. A non-2xx answer fails the action.
 */
export const gcpFunctionSpec: ActionnerSpec<GcpFunctionParams> = {
  name: 'gcp:function',
  category: 'gcp',
  description: 'Invoke a GCP function forwarding the Falco event payload',
  params,
  needsOutput: false,
  allowsOutput: false,
  defaultContinue: true,
  // As the reference: no additional contexts are fetched, but the payload carries the Talon context.
  usesContext: false,
  // `run.routes.invoke` (roles/run.invoker) for 2nd-gen functions, `cloudfunctions.functions.invoke`
  // (roles/cloudfunctions.invoker) for 1st-gen ones; `get` resolves the trigger URL.
  rerun: 'Calls the function again with the same body and the same `Idempotency-Key` header (`<workflow id>/<action index>`).',
  permissions: { iam: ['cloudfunctions.functions.get', 'run.routes.invoke', 'cloudfunctions.functions.invoke'] },
  timeout: '10m',
  example: `- action: Invoke GCP Cloud Function
  actionner: gcp:function
  parameters:
    gcp_function_name: sample-function
    gcp_function_location: us-central1
    gcp_function_timeout: 10
`,
};
