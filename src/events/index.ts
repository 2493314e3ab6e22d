// Workflow code must import `./fields.ts` directly: this index also exports `id.ts`, which uses
// node:crypto and cannot be bundled into Temporal's workflow sandbox.
export type { FalcoEvent, Json } from '../contract/index.ts';
export { stripOutputPrefix } from './strip.ts';
export { decodeEvent, type DecodeResult } from './decode.ts';
export { fieldText, hostname, namespace, podName, remoteIp, remotePort, remoteProtocol, targetName, targetNamespace, targetResource } from './fields.ts';
export { workflowIdFor } from './id.ts';
