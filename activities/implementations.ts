import type { ActionnerImplementation, ContextImplementation, NotifierImplementation, OutputImplementation } from './types.ts';

// The implementations, by name, each loaded on its first use: a worker only loads the SDKs its
// rules' actions need. Only the worker imports this module (a test checks every spec has one).
type Loaders<T> = { readonly [name: string]: () => Promise<T> };

export const actionnerImplementations: Loaders<ActionnerImplementation> = {
  'http:request': async () => (await import('./http/request.ts')).httpRequest,
  'aws:lambda': async () => (await import('./aws/lambda.ts')).awsLambda,
  'gcp:function': async () => (await import('./gcp/function.ts')).gcpFunction,
  'kubernetes:label': async () => (await import('./kubernetes/label.ts')).label,
  'kubernetes:annotation': async () => (await import('./kubernetes/annotation.ts')).annotation,
  'kubernetes:networkpolicy': async () => (await import('./kubernetes/networkpolicy.ts')).networkPolicy,
  'kubernetes:terminate': async () => (await import('./kubernetes/terminate.ts')).kubernetesTerminate,
  'kubernetes:delete': async () => (await import('./kubernetes/delete.ts')).kubernetesDelete,
  'kubernetes:cordon': async () => (await import('./kubernetes/cordon.ts')).kubernetesCordon,
  'kubernetes:drain': async () => (await import('./kubernetes/drain.ts')).kubernetesDrain,
  'kubernetes:exec': async () => (await import('./kubernetes/exec.ts')).kubernetesExec,
  'kubernetes:script': async () => (await import('./kubernetes/script.ts')).kubernetesScript,
  'kubernetes:log': async () => (await import('./kubernetes/log.ts')).kubernetesLog,
  'kubernetes:download': async () => (await import('./kubernetes/download.ts')).kubernetesDownload,
  'kubernetes:tcpdump': async () => (await import('./kubernetes/tcpdump.ts')).kubernetesTcpdump,
  'kubernetes:sysdig': async () => (await import('./kubernetes/sysdig.ts')).kubernetesSysdig,
  'calico:networkpolicy': async () => (await import('./calico/networkpolicy.ts')).calicoNetworkPolicy,
  'cilium:networkpolicy': async () => (await import('./cilium/networkpolicy.ts')).ciliumNetworkPolicy,
};

export const outputImplementations: Loaders<OutputImplementation> = {
  'local:file': async () => (await import('./outputs/local-file.ts')).localFile,
  'aws:s3': async () => (await import('./outputs/aws-s3.ts')).awsS3,
  'minio:s3': async () => (await import('./outputs/minio-s3.ts')).minioS3,
  'gcp:gcs': async () => (await import('./outputs/gcp-gcs.ts')).gcpGcs,
};

export const notifierImplementations: Loaders<NotifierImplementation> = {
  webhook: async () => (await import('./notifiers/webhook.ts')).webhook,
  slack: async () => (await import('./notifiers/slack.ts')).slack,
  loki: async () => (await import('./notifiers/loki.ts')).loki,
  // A factory: each worker keeps its own record of the index templates it has created.
  elasticsearch: async () => (await import('./notifiers/elasticsearch.ts')).createElasticsearchNotifier(),
  smtp: async () => (await import('./notifiers/smtp.ts')).smtp,
  k8sevents: async () => (await import('./notifiers/k8sevents.ts')).k8sevents,
};

export const contextImplementations: Loaders<ContextImplementation> = {
  k8snode: async () => (await import('./kubernetes/node-context.ts')).k8snodeContext,
  aws: async () => (await import('./aws/context.ts')).awsContext,
};
