import type { ActionnerSpec, ContextSpec, NotifierSpec, OutputSpec } from '../src/contract/index.ts';
import type { RuleCatalog } from '../src/rules/catalog.ts';
import { awsContextSpec } from './aws/context.spec.ts';
import { awsLambdaSpec } from './aws/lambda.spec.ts';
import { calicoNetworkPolicySpec } from './calico/networkpolicy.spec.ts';
import { ciliumNetworkPolicySpec } from './cilium/networkpolicy.spec.ts';
import { gcpFunctionSpec } from './gcp/function.spec.ts';
import { httpRequestSpec } from './http/request.spec.ts';
import { annotationSpec } from './kubernetes/annotation.spec.ts';
import { kubernetesCordonSpec } from './kubernetes/cordon.spec.ts';
import { kubernetesDeleteSpec } from './kubernetes/delete.spec.ts';
import { kubernetesDownloadSpec } from './kubernetes/download.spec.ts';
import { kubernetesDrainSpec } from './kubernetes/drain.spec.ts';
import { kubernetesExecSpec } from './kubernetes/exec.spec.ts';
import { labelSpec } from './kubernetes/label.spec.ts';
import { kubernetesLogSpec } from './kubernetes/log.spec.ts';
import { networkPolicySpec } from './kubernetes/networkpolicy.spec.ts';
import { k8snodeSpec } from './kubernetes/node-context.spec.ts';
import { kubernetesScriptSpec } from './kubernetes/script.spec.ts';
import { kubernetesSysdigSpec } from './kubernetes/sysdig.spec.ts';
import { kubernetesTcpdumpSpec } from './kubernetes/tcpdump.spec.ts';
import { kubernetesTerminateSpec } from './kubernetes/terminate.spec.ts';
import { elasticsearchSpec } from './notifiers/elasticsearch.spec.ts';
import { k8seventsSpec } from './notifiers/k8sevents.spec.ts';
import { lokiSpec } from './notifiers/loki.spec.ts';
import { slackSpec } from './notifiers/slack.spec.ts';
import { smtpSpec } from './notifiers/smtp.spec.ts';
import { webhookSpec } from './notifiers/webhook.spec.ts';
import { awsS3Spec } from './outputs/aws-s3.spec.ts';
import { gcpGcsSpec } from './outputs/gcp-gcs.spec.ts';
import { localFileSpec } from './outputs/local-file.spec.ts';
import { minioS3Spec } from './outputs/minio-s3.spec.ts';

// The specs: plain lists that ingest, the rules module, the CLI, `talon rbac` and the generated docs
// read. No SDK is loaded from here; implementations are in implementations.ts, for the worker.
export const actionnerSpecs: readonly ActionnerSpec[] = [
  httpRequestSpec,
  awsLambdaSpec,
  gcpFunctionSpec,
  labelSpec,
  annotationSpec,
  networkPolicySpec,
  kubernetesTerminateSpec,
  kubernetesDeleteSpec,
  kubernetesCordonSpec,
  kubernetesDrainSpec,
  kubernetesExecSpec,
  kubernetesScriptSpec,
  kubernetesLogSpec,
  kubernetesDownloadSpec,
  kubernetesTcpdumpSpec,
  kubernetesSysdigSpec,
  calicoNetworkPolicySpec,
  ciliumNetworkPolicySpec,
];
export const outputSpecs: readonly OutputSpec[] = [localFileSpec, awsS3Spec, minioS3Spec, gcpGcsSpec];
export const notifierSpecs: readonly NotifierSpec[] = [webhookSpec, slackSpec, lokiSpec, elasticsearchSpec, smtpSpec, k8seventsSpec];
export const contextSpecs: readonly ContextSpec[] = [k8snodeSpec, awsContextSpec];

export function findActionner(name: string): ActionnerSpec | undefined {
  return actionnerSpecs.find((a) => a.name === name);
}
export function findOutput(name: string): OutputSpec | undefined {
  return outputSpecs.find((o) => o.name === name);
}
export function findNotifier(name: string): NotifierSpec | undefined {
  return notifierSpecs.find((n) => n.name === name);
}
export function findContext(name: string): ContextSpec | undefined {
  return contextSpecs.find((c) => c.name === name);
}

/** What rule validation reads. */
export const catalog: RuleCatalog = {
  actionner: findActionner,
  output: findOutput,
  hasNotifier: (name) => findNotifier(name) !== undefined,
  hasContext: (name) => findContext(name) !== undefined,
  undoable: () => actionnerSpecs.filter((spec) => spec.undo !== undefined).map((spec) => spec.name),
};
