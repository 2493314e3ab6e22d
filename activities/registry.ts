import type { RuleCatalog } from '../src/rules/catalog.ts';
import { contextSources } from './contexts.ts';
import { awsLambda } from './aws/lambda.ts';
// Registers the `aws` additional-context source.
import './aws/context.ts';
import { gcpFunction } from './gcp/function.ts';
import { httpRequest } from './http/request.ts';
import { annotation } from './kubernetes/annotation.ts';
import { kubernetesCordon } from './kubernetes/cordon.ts';
import { kubernetesDelete } from './kubernetes/delete.ts';
import { kubernetesDrain } from './kubernetes/drain.ts';
import { label } from './kubernetes/label.ts';
import { networkPolicy } from './kubernetes/networkpolicy.ts';
import { kubernetesTerminate } from './kubernetes/terminate.ts';
// Registers the `k8snode` additional-context source.
import './kubernetes/node-context.ts';
import { elasticsearch } from './notifiers/elasticsearch.ts';
import { k8sevents } from './notifiers/k8sevents.ts';
import { loki } from './notifiers/loki.ts';
import { slack } from './notifiers/slack.ts';
import { smtp } from './notifiers/smtp.ts';
import { webhook } from './notifiers/webhook.ts';
import { awsS3 } from './outputs/aws-s3.ts';
import { gcpGcs } from './outputs/gcp-gcs.ts';
import { localFile } from './outputs/local-file.ts';
import { minioS3 } from './outputs/minio-s3.ts';
import type { ActionnerDescriptor, NotifierDescriptor, OutputDescriptor } from './types.ts';

// The registry is a plain list: names, docs, validation and activity registration all derive from it.
export const actionners: readonly ActionnerDescriptor[] = [httpRequest, awsLambda, gcpFunction, label, annotation, networkPolicy, kubernetesTerminate, kubernetesDelete, kubernetesCordon, kubernetesDrain];
export const outputs: readonly OutputDescriptor[] = [localFile, awsS3, minioS3, gcpGcs];
export const notifiers: readonly NotifierDescriptor[] = [webhook, slack, loki, elasticsearch, smtp, k8sevents];

export function findActionner(name: string) {
  return actionners.find((a) => a.name === name);
}
export function findOutput(name: string) {
  return outputs.find((o) => o.name === name);
}
export function findNotifier(name: string) {
  return notifiers.find((n) => n.name === name);
}

export const catalog: RuleCatalog = {
  actionner: (name) => findActionner(name),
  output: (name) => findOutput(name),
  hasNotifier: (name) => findNotifier(name) !== undefined,
  hasContext: (name) => contextSources[name] !== undefined,
};
