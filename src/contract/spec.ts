import type { z } from 'zod';
import type { PlannedRetry } from './plan.ts';

// Specs describe an actionner, output, notifier or additional context: what ingest, the rules
// module, the CLI, `talon rbac` and the generated docs read. Implementations (activities/*) are
// loaded by the worker only.

/** Kubernetes RBAC rules, or cloud IAM actions, that an item needs. */
export interface Permissions {
  readonly kubernetes?: readonly { readonly apiGroups: readonly string[]; readonly resources: readonly string[]; readonly verbs: readonly string[] }[];
  readonly iam?: readonly string[];
}

export interface ActionnerSpec<P = unknown> {
  /** `category:name`; also the Temporal activity type. */
  readonly name: string;
  readonly category: string;
  readonly description: string;
  /** The only source of parameter types and defaults; each field carries a description. */
  readonly params: z.ZodType<P>;
  readonly needsOutput: boolean;
  readonly allowsOutput: boolean;
  /** Whether the rule's next action runs after this one when `continue` is not set. */
  readonly defaultContinue: boolean;
  /** Whether `additional_contexts` are fetched before it runs. */
  readonly usesContext: boolean;
  readonly permissions: Permissions;
  /**
   * What running it again does, after an attempt whose completion was lost (a worker killed between
   * the side effect and the report): Temporal retries such an attempt. Shown in the reference.
   */
  readonly rerun: string;
  /** A YAML rule snippet. */
  readonly example: string;
  /** Default start-to-close timeout of one attempt (Temporal duration string). */
  readonly timeout: string;
  /** Default retry policy, over the planner's defaults; a rule's `retry:` wins over it. */
  readonly retry?: Partial<PlannedRetry>;
  /**
   * The lane its activities run in: a task queue of their own, with its own worker slots, so
   * hanging actions of one lane cannot hold the slots of another. @default the category
   */
  readonly lane?: string;
  /**
   * Set when the action can be time-boxed (`expire_after:`): what expiry puts back, for the
   * reference. Its implementation then reads the before-state (`snapshot`) and undoes (`undo`).
   */
  readonly undo?: string;
}

export interface OutputSpec<P = unknown> {
  readonly name: string;
  readonly category: string;
  readonly description: string;
  readonly params: z.ZodType<P>;
  readonly permissions: Permissions;
  /**
   * What running it again does, after an attempt whose completion was lost (a worker killed between
   * the side effect and the report): Temporal retries such an attempt. Shown in the reference.
   */
  readonly rerun: string;
  readonly example: string;
}

export interface NotifierSpec<C = unknown> {
  readonly name: string;
  readonly description: string;
  /** Schema of `notifiers.<name>` in the configuration. */
  readonly config: z.ZodType<C>;
  readonly permissions: Permissions;
  /**
   * What running it again does, after an attempt whose completion was lost (a worker killed between
   * the side effect and the report): Temporal retries such an attempt. Shown in the reference.
   */
  readonly rerun: string;
  readonly example: string;
}

/** A source of `additional_contexts` (reference §5.3): `aws`, `k8snode`. */
export interface ContextSpec {
  readonly name: string;
  readonly description: string;
  /** What fetching it needs, for `talon rbac` (`k8snode` needs nodes get). */
  readonly permissions: Permissions;
  /** The context keys it adds. */
  readonly keys: readonly string[];
}
