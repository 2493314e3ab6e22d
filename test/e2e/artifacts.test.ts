import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackPayload } from '../../activities/notifiers/slack.ts';
import { createApp } from '../../src/ingest/app.ts';
import { temporalStarter } from '../../src/ingest/starter.ts';
import { silentLogger } from '../../src/log.ts';
import { Metrics } from '../../src/metrics/metrics.ts';
import { listen, type RunningServer } from '../../src/roles/ingest-server.ts';
import type { RuleSet } from '../../src/rules/index.ts';
import type { PlaybookReport } from '../../src/contract/index.ts';
import { SmtpTarget } from '../activities/notifiers/smtp-server.ts';
import { HttpTarget } from '../support/http-target.ts';
import { startMinio, type MinioServer } from '../support/object-stores.ts';
import { rulesFromYaml, startTestWorker, testClient, testConfig, type TestWorker } from '../support/temporal.ts';

// Issue 4 §5 on real servers: falcosidekick-shaped POST → Hono ingest → Temporal workflow →
// `http:request` whose response body is the artifact → `minio:s3` / `aws:s3` into MinIO → Slack
// (loopback webhook) and SMTP (smtp-server) notifications carrying the stored object's location.

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Binary, incompressible, not valid UTF-8: any text decoding on the way would change the bytes. */
const BODY = randomBytes(100 * 1024);
const BODY_SHA256 = sha256(BODY);
const NAMESPACE = 'payments';
const POD = 'api-7f9c6d-x2k4p';
const HOSTNAME = `node-${randomBytes(3).toString('hex')}`;
const ACTION = 'Fetch the capture';
const TIME = /\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ/;

let minio: MinioServer;
let reader: S3Client;
let http: HttpTarget;
let mail: SmtpTarget;
let client: Client;
let worker: TestWorker;
let server: RunningServer;
let ruleSet: RuleSet;

beforeAll(async () => {
  minio = await startMinio();
  reader = new S3Client({
    endpoint: minio.url,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: minio.accessKey, secretAccessKey: minio.secretKey },
  });
  http = await new HttpTarget().start();
  mail = await new SmtpTarget({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false }).start();
  const config = testConfig({
    minio: { endpoint: minio.hostPort, access_key: minio.accessKey, secret_key: minio.secretKey },
    aws: { endpoint: minio.url, region: 'us-east-1', access_key: minio.accessKey, secret_key: minio.secretKey },
    notifiers: {
      slack: { webhook_url: `${http.url}/slack` },
      smtp: { host_port: mail.hostPort, from: 'falco-talon@example.com', to: 'secops@example.com' },
    },
  });
  client = await testClient();
  worker = await startTestWorker(config);
  const app = createApp({
    rules: () => ruleSet,
    starter: temporalStarter(client, worker.taskQueue),
    metrics: new Metrics(),
    log: silentLogger,
    dedupWindowSeconds: 0,
  });
  server = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close();
  await worker?.stop();
  await client?.connection.close();
  await mail?.stop();
  await http?.stop();
  reader?.destroy();
  await minio?.stop();
});

beforeEach(() => {
  http.requests.length = 0;
  mail.reset();
});

/** What falcosidekick's `talon` output posts for a Falco alert on a pod; the output is unique per call. */
function falcosidekickAlert(rule: string) {
  return {
    uuid: randomUUID(),
    output: `12:00:00.000000000: Notice ${rule} (user=root ${NAMESPACE}/${POD} shell=bash id=${randomUUID()})`,
    priority: 'Notice',
    rule,
    time: new Date().toISOString(),
    source: 'syscall',
    hostname: HOSTNAME,
    tags: ['container', 'shell'],
    output_fields: {
      'container.id': 'a1b2c3d4e5f6',
      'evt.time': 1_700_000_000_000_000_000,
      'k8s.ns.name': NAMESPACE,
      'k8s.pod.name': POD,
      'proc.cmdline': 'bash',
      'user.name': 'root',
    },
  };
}

/** Total size of every byte array (payload) in a workflow history. */
function payloadBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + payloadBytes(item), 0);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + payloadBytes(item), 0);
  return 0;
}

/** `YYYY-MM-DDTHH-MM-SSZ` of a key back to epoch milliseconds. */
function keyTime(time: string): number {
  return Date.parse(time.replace(/T(\d\d)-(\d\d)-(\d\d)Z$/, 'T$1:$2:$3Z'));
}

interface Case {
  readonly title: string;
  readonly target: 'minio:s3' | 'aws:s3';
  readonly location: (bucket: string, objectKey: string) => string;
  readonly extraObjects: () => Record<string, string>;
  /** The Slack webhook answers 503 to its first request (a transient failure Temporal retries). */
  readonly slackDownOnce: boolean;
}

const cases: Case[] = [
  { title: 'minio:s3', target: 'minio:s3', location: (b, k) => `${minio.url}/${b}/${k}`, extraObjects: () => ({}), slackDownOnce: false },
  {
    title: 'aws:s3 (aws.endpoint → MinIO)',
    target: 'aws:s3',
    location: (b, k) => `s3://${b}/${k}`,
    extraObjects: () => ({ region: 'us-east-1' }),
    slackDownOnce: false,
  },
  {
    title: 'minio:s3, the Slack webhook answering 503 once',
    target: 'minio:s3',
    location: (b, k) => `${minio.url}/${b}/${k}`,
    extraObjects: () => ({}),
    slackDownOnce: true,
  },
];

describe('end to end: an artifact stored in an object store and announced by Slack and SMTP', () => {
  it.each(cases)('$title', async (c) => {
    const id = randomBytes(4).toString('hex');
    const bucket = `talon-e2e-${id}`;
    await reader.send(new CreateBucketCommand({ Bucket: bucket }));
    const falcoRule = `Capture requested ${id}`;
    const talonRule = `Store the capture with ${c.target} ${id}`;
    // The URL is templated from the alert's fields, so the route also proves the event got through.
    const capturePath = `/capture/${NAMESPACE}/${POD}`;
    ruleSet = await rulesFromYaml(`
- rule: ${talonRule}
  match:
    rules: ["${falcoRule}"]
    output_fields:
      - k8s.ns.name=${NAMESPACE}
  notifiers: [slack, smtp]
  actions:
    - action: ${ACTION}
      actionner: http:request
      parameters:
        url: "${http.url}/capture/\${K8S_NS_NAME}/\${K8S_POD_NAME}"
        method: GET
      output:
        target: ${c.target}
        parameters:
          bucket: ${bucket}
          prefix: /artifacts/e2e/
`);
    http.route(capturePath, { status: 200, body: BODY, headers: { 'content-type': 'application/octet-stream' } });
    http.route('/slack', ...(c.slackDownOnce ? [{ status: 503, body: 'down' }] : []), { status: 200, body: 'ok' });

    const startedAt = Math.floor(Date.now() / 1000) * 1000;
    const response = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(falcosidekickAlert(falcoRule)),
    });
    expect(response.status).toBe(200);
    const accepted = (await response.json()) as { status: string; workflowId: string };
    expect(accepted.status).toBe('started');
    const handle = client.workflow.getHandle(accepted.workflowId);
    // The workflow awaits every notification (workflows/playbook.ts) before it returns: no polling.
    const report = (await handle.result()) as PlaybookReport;
    const endedAt = Date.now();

    // The action ran once and its output stage stored the response body.
    expect(report.outcome).toBe('succeeded');
    const action = report.rules[0]?.actions[0];
    expect(report.rules.map((r) => r.actions.length)).toEqual([1]);
    expect(action).toMatchObject({ action: ACTION, actionner: 'http:request', status: 'success', attempts: 1 });
    expect(http.requestsTo(capturePath).map((r) => r.method)).toEqual(['GET']);
    const outcome = action?.output;
    if (!outcome?.artifact) throw new Error(`no stored artifact in the report: ${JSON.stringify(action)}`);

    // Key (activities/outputs/key.ts): http:request's objects (url, method, status) name no pod, so
    // the key is `<T>_<hostname>_<artifact name>`; the prefix loses its leading `/`.
    const key = outcome.objects.key ?? '';
    const match = new RegExp(`^(${TIME.source})_${HOSTNAME}_http-response$`).exec(key);
    if (!match?.[1]) throw new Error(`unexpected key '${key}'`);
    expect(keyTime(match[1])).toBeGreaterThanOrEqual(startedAt);
    expect(keyTime(match[1])).toBeLessThanOrEqual(endedAt);
    const objectKey = `artifacts/e2e/${key}`;
    const location = c.location(bucket, objectKey);
    expect(outcome).toEqual({
      target: c.target,
      status: 'success',
      result: `the file 'http-response' has been uploaded as the key '${objectKey}' to the bucket '${bucket}'`,
      objects: { file: 'http-response', bucket, prefix: 'artifacts/e2e/', key, ...c.extraObjects() },
      artifact: { location, size: BODY.length, sha256: BODY_SHA256 },
    });

    // The object read back from MinIO: the only one in the bucket, the served bytes, its content type.
    const listed = await reader.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([objectKey]);
    const object = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
    const stored = Buffer.from(await object.Body!.transformToByteArray());
    expect(stored.equals(BODY)).toBe(true);
    expect(sha256(stored)).toBe(outcome.artifact.sha256);
    expect(object.ContentType).toBe('application/octet-stream');
    expect(object.ContentLength).toBe(BODY.length);

    // The bytes never went through workflow history, only the location and checksum did.
    expect(payloadBytes(await handle.fetchHistory())).toBeLessThan(BODY.length);

    // Slack: exactly one action report then one output report were accepted; a 503'd attempt was
    // the same action message, retried by Temporal.
    const posted = http.requestsTo('/slack').map((r) => JSON.parse(r.body) as SlackPayload);
    if (c.slackDownOnce) {
      const refused = posted.shift();
      expect(refused).toEqual(posted[0]);
    }
    const actionHeader = `[*SUCCESS*][*ACTION*] Rule: \`${talonRule}\` Action: \`${ACTION}\``;
    const outputHeader = `${actionHeader.replace('[*ACTION*]', '[*OUTPUT*]')} OutputTarget: \`${c.target}\``;
    expect(posted.map((p) => p.text)).toEqual([actionHeader, outputHeader]);
    const [slackAction, slackOutput] = posted;
    expect(slackAction?.attachments[0]?.fields.map((f) => f.title)).not.toContain('Artifact');
    expect(slackAction?.attachments[0]?.fields).toContainEqual({ title: 'Actionner', value: '`http:request`', short: true });
    expect(slackOutput?.attachments[0]?.fields).toEqual(
      expect.arrayContaining([
        { title: 'OutputTarget', value: `\`${c.target}\``, short: false },
        { title: 'Artifact', value: `\`${location}\``, short: false },
        { title: 'Artifact Size', value: `\`${BODY.length} bytes\``, short: true },
        { title: 'Artifact SHA256', value: `\`${BODY_SHA256}\``, short: false },
        { title: 'Trace ID', value: `\`${accepted.workflowId}\``, short: false },
      ]),
    );

    // SMTP: one mail per report, the output one naming the target and where the object is.
    expect(mail.received.map((r) => r.mail.subject)).toEqual([
      `[falco-talon][success][action] Action '${ACTION}' Rule '${talonRule}'`,
      `[falco-talon][success][output] OutputTarget '${c.target}' Action '${ACTION}' Rule '${talonRule}'`,
    ]);
    expect(mail.received.map((r) => r.recipients)).toEqual([['secops@example.com'], ['secops@example.com']]);
    const [actionMail, outputMail] = mail.received.map((r) => r.mail.text ?? '');
    expect(actionMail).toContain('Actionner: http:request\n');
    expect(actionMail).not.toContain('Artifact');
    expect(outputMail).toContain(`OutputTarget: ${c.target}\n`);
    expect(outputMail).toContain(`Artifact: ${location}\n`);
    expect(outputMail).toContain(`Artifact Size: ${BODY.length} bytes\n`);
    expect(outputMail).toContain(`Artifact SHA256: ${BODY_SHA256}\n`);
    expect(outputMail).toContain(`Trace ID: ${accepted.workflowId}\n`);

    // The workflow's own record agrees: four notifications, each sent once.
    const records = report.notifications.map((n) => `${n.notifier} ${n.message} ${n.status}`).sort();
    expect(records).toEqual(['slack action sent', 'slack output sent', 'smtp action sent', 'smtp output sent']);
  });
});
