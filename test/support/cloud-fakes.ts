import { createHash, createHmac, createSign, createVerify, generateKeyPairSync, randomUUID, timingSafeEqual, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

// Loopback fakes that speak the real wire protocols — AWS REST-JSON signed with SigV4 (verified),
// STS Query/XML, EC2 Query/XML, Google's OAuth JWT-bearer grant (assertion signature verified), Cloud Functions
// v2 — so the real SDKs and auth libraries run unmodified against them.

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}
export interface FakeRequest {
  method: string;
  rawPath: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

abstract class Loopback<Op extends string> {
  url = '';
  private server?: Server;
  private readonly failures = new Map<Op, Reply[]>();

  /** The next calls of `op` get these replies, one each, before normal behaviour resumes. */
  failNext(op: Op, ...replies: Reply[]): this {
    this.failures.set(op, [...(this.failures.get(op) ?? []), ...replies]);
    return this;
  }
  protected scripted(op: Op): Reply | undefined {
    return this.failures.get(op)?.shift();
  }
  protected abstract handle(request: FakeRequest): Reply;

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(Buffer.from(chunk));
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      const url = new URL(req.url ?? '/', 'http://fake');
      const body = Buffer.concat(chunks);
      const reply = this.handle({
        method: req.method ?? '',
        rawPath,
        path: decodeURIComponent(rawPath),
        query: url.searchParams,
        headers: req.headers,
        body,
        text: body.toString('utf8'),
      });
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (!res.destroyed) res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers }).end(reply.body ?? '');
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// AWS

/** A REST-JSON error as Lambda sends it: the SDK reads the code from `x-amzn-ErrorType`. */
export function awsError(status: number, type: string, message: string): Reply {
  const body = JSON.stringify({ Type: status >= 500 ? 'Service' : 'User', message });
  return { status, headers: { 'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazonaws.awslambda/` }, body };
}
/** A Query-protocol (XML) error as STS sends it. */
export function stsError(status: number, code: string, message: string): Reply {
  const body = `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

/** An EC2 Query-protocol error: `<Response><Errors><Error>…`. */
export function ec2Error(status: number, code: string, message: string): Reply {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`;
  return { status, headers: { 'content-type': 'text/xml' }, body };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding as SigV4 wants it. */
const escape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

export interface SignedBy {
  accessKey: string;
  region: string;
  service: string;
  signedHeaders: string[];
}

/**
 * Verifies an AWS Signature Version 4 `Authorization` header from the specification (canonical
 * request → string to sign → HMAC chain), independently of the SDK's signer. Returns the signer,
 * or an error text.
 */
export function verifySigV4(req: FakeRequest, secretOf: (accessKey: string) => string | undefined): SignedBy | string {
  const auth = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  if (!auth) return 'missing or malformed SigV4 Authorization header';
  const [, accessKey = '', date = '', region = '', service = '', signed = '', signature = ''] = auth;
  const secret = secretOf(accessKey);
  if (secret === undefined) return `unknown access key ${accessKey}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date)) return 'x-amz-date does not match the credential scope';
  const names = signed.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';
  const canonicalUri = escape(req.rawPath).replace(/%2F/g, '/');
  const canonicalQuery = [...req.query]
    .map(([k, v]) => [escape(k), escape(v)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalHeaders = names
    .map(
      (n) =>
        `${n}:${String(req.headers[n] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signed, sha256(req.body)].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  return { accessKey, region, service, signedHeaders: names };
}

export interface Invocation {
  name: string;
  qualifier: string;
  type: string;
  payload: unknown;
  accessKey: string;
  region: string;
}
export interface DescribeInstancesCall {
  instanceIds: string[];
  accessKey: string;
  region: string;
}
export interface AssumeRoleCall {
  roleArn: string;
  externalId: string | null;
  sessionName: string | null;
  accessKey: string;
  issuedKey?: string;
}

/** Lambda (GetFunction, Invoke), STS (AssumeRole) and EC2 (DescribeInstances) on one endpoint, as LocalStack serves them. */
export class FakeAws extends Loopback<'GetFunction' | 'Invoke' | 'AssumeRole' | 'DescribeInstances'> {
  readonly invocations: Invocation[] = [];
  readonly getFunctions: { name: string; qualifier: string; accessKey: string }[] = [];
  readonly assumeRoles: AssumeRoleCall[] = [];
  readonly describeInstances: DescribeInstancesCall[] = [];
  /** Every request refused for its signature, with the reason. */
  readonly rejected: string[] = [];
  /** Aliases and versions per function; `$LATEST` always exists. */
  private readonly functions = new Map<string, Map<string, string>>();
  private readonly functionErrors = new Map<string, { kind: string; type: string; message: string }>();
  private readonly responses = new Map<string, unknown>();
  /** EC2 instances by region, then ID → instance profile (undefined: none attached). */
  private readonly instances = new Map<string, Map<string, { arn: string; id: string } | undefined>>();
  /** Known access keys → secret and session token (undefined for long-term keys). */
  private readonly keys = new Map<string, { secret: string; token?: string }>();

  constructor(accessKey: string, secretKey: string) {
    super();
    this.keys.set(accessKey, { secret: secretKey });
  }
  /** Another long-term key the fake accepts (e.g. one the SDK finds in the environment). */
  addKey(accessKey: string, secretKey: string): this {
    this.keys.set(accessKey, { secret: secretKey });
    return this;
  }
  /** `qualifiers`: `alias=version` or a version number. */
  addFunction(name: string, ...qualifiers: string[]): this {
    const known = new Map([['$LATEST', '$LATEST']]);
    for (const q of qualifiers) {
      const [alias = q, version = q] = q.split('=');
      known.set(alias, version);
    }
    this.functions.set(name, known);
    return this;
  }
  /** An EC2 instance in `region`, with `profile` as its IAM instance profile. */
  addInstance(region: string, instanceId: string, profile?: { arn: string; id: string }): this {
    if (!this.instances.has(region)) this.instances.set(region, new Map());
    this.instances.get(region)!.set(instanceId, profile);
    return this;
  }
  /** What a RequestResponse invoke of `name` returns. */
  respondWith(name: string, body: unknown): this {
    this.responses.set(name, body);
    return this;
  }
  /** Every RequestResponse invoke of `name` returns a function error (`X-Amz-Function-Error`). */
  throwFromFunction(name: string, type: string, message: string, kind = 'Unhandled'): this {
    this.functionErrors.set(name, { kind, type, message });
    return this;
  }

  protected handle(req: FakeRequest): Reply {
    const signer = verifySigV4(req, (key) => this.keys.get(key)?.secret);
    if (typeof signer === 'string') {
      this.rejected.push(signer);
      const code = signer.startsWith('unknown') ? 'UnrecognizedClientException' : 'InvalidSignatureException';
      return signer.startsWith('missing') ? awsError(403, 'MissingAuthenticationTokenException', signer) : awsError(403, code, signer);
    }
    const { accessKey, region, service } = signer;
    if (this.keys.get(accessKey)?.token !== req.headers['x-amz-security-token'])
      return awsError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (req.method === 'POST' && req.path === '/' && service === 'sts') return this.assumeRole(new URLSearchParams(req.text), accessKey);
    if (req.method === 'POST' && req.path === '/' && service === 'ec2') return this.describe(new URLSearchParams(req.text), accessKey, region);
    const route = /^\/2015-03-31\/functions\/([^/]+)(\/invocations)?$/.exec(req.path);
    if (!route || service !== 'lambda') return awsError(404, 'UnknownOperationException', `no route ${req.method} ${req.path}`);
    const name = route[1] ?? '';
    const qualifier = req.query.get('Qualifier') ?? '$LATEST';
    const op = route[2] ? 'Invoke' : 'GetFunction';
    const version = this.functions.get(name)?.get(qualifier);
    if (op === 'GetFunction') this.getFunctions.push({ name, qualifier, accessKey });
    else
      this.invocations.push({
        name,
        qualifier,
        type: String(req.headers['x-amz-invocation-type'] ?? ''),
        payload: JSON.parse(req.text || 'null'),
        accessKey,
        region,
      });
    const scripted = this.scripted(op);
    if (scripted) return scripted;
    if (version === undefined)
      return awsError(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${region}:123456789012:function:${name}:${qualifier}`);
    const arn = `arn:aws:lambda:${region}:123456789012:function:${name}`;
    if (op === 'GetFunction') {
      return {
        status: 200,
        body: JSON.stringify({ Configuration: { FunctionName: name, FunctionArn: arn, Version: version, State: 'Active' }, Code: { RepositoryType: 'S3' } }),
      };
    }
    const type = req.headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (type === 'Event') return { status: 202 };
    if (type === 'DryRun') return { status: 204 };
    const failure = this.functionErrors.get(name);
    const headers: Record<string, string> = { 'X-Amz-Executed-Version': version, ...(failure ? { 'X-Amz-Function-Error': failure.kind } : {}) };
    const body = failure ? { errorType: failure.type, errorMessage: failure.message, trace: [] } : (this.responses.get(name) ?? { handled: true });
    return { status: 200, headers, body: JSON.stringify(body) };
  }

  /** DescribeInstances by `InstanceId.N`, answering only for instances of the region the request was signed for. */
  private describe(form: URLSearchParams, accessKey: string, region: string): Reply {
    if (form.get('Action') !== 'DescribeInstances' || form.get('Version') !== '2016-11-15')
      return ec2Error(400, 'InvalidAction', `unknown action ${form.get('Action')}`);
    const instanceIds = [...form].filter(([key]) => /^InstanceId\.\d+$/.test(key)).map(([, value]) => value);
    this.describeInstances.push({ instanceIds, accessKey, region });
    const scripted = this.scripted('DescribeInstances');
    if (scripted) return scripted;
    const known = this.instances.get(region) ?? new Map();
    const missing = instanceIds.find((id) => !known.has(id));
    if (missing) return ec2Error(400, 'InvalidInstanceID.NotFound', `The instance ID '${missing}' does not exist`);
    const items = instanceIds.map((id) => {
      const profile = known.get(id);
      const iam = profile ? `<iamInstanceProfile><arn>${profile.arn}</arn><id>${profile.id}</id></iamInstanceProfile>` : '';
      return `<item><instanceId>${id}</instanceId><instanceType>m5.large</instanceType><placement><availabilityZone>${region}a</availabilityZone></placement>${iam}</item>`;
    });
    const reservations =
      items.length > 0
        ? `<item><reservationId>r-${randomUUID().slice(0, 8)}</reservationId><ownerId>123456789012</ownerId><instancesSet>${items.join('')}</instancesSet></item>`
        : '';
    const body = `<?xml version="1.0" encoding="UTF-8"?><DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${randomUUID()}</requestId><reservationSet>${reservations}</reservationSet></DescribeInstancesResponse>`;
    return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
  }

  private assumeRole(form: URLSearchParams, accessKey: string): Reply {
    if (form.get('Action') !== 'AssumeRole' || form.get('Version') !== '2011-06-15')
      return stsError(400, 'InvalidAction', `unknown action ${form.get('Action')}`);
    const record: AssumeRoleCall = {
      roleArn: form.get('RoleArn') ?? '',
      externalId: form.get('ExternalId'),
      sessionName: form.get('RoleSessionName'),
      accessKey,
    };
    this.assumeRoles.push(record);
    const scripted = this.scripted('AssumeRole');
    if (scripted) return scripted;
    const key = `ASIA${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}`;
    const secret = randomUUID();
    const token = randomUUID();
    this.keys.set(key, { secret, token });
    record.issuedKey = key;
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const credentials = `<AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${secret}</SecretAccessKey><SessionToken>${token}</SessionToken><Expiration>${expiration}</Expiration>`;
    const user = `<AssumedRoleUser><AssumedRoleId>AROA:${form.get('RoleSessionName')}</AssumedRoleId><Arn>${form.get('RoleArn')}/${form.get('RoleSessionName')}</Arn></AssumedRoleUser>`;
    const body = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>${credentials}</Credentials>${user}</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
    return { status: 200, headers: { 'content-type': 'text/xml' }, body };
  }
}

// ---------------------------------------------------------------------------------------------
// GCP

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

function signJwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const input = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key, 'base64url')}`;
}

/** The claims of an RS256 JWT whose signature `key` verifies, else undefined. */
function verifyJwt(token: string, key: KeyObject): Record<string, unknown> | undefined {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return undefined;
  if (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')).alg !== 'RS256') return undefined;
  if (!createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(key, signature, 'base64url')) return undefined;
  const claims: Record<string, unknown> = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  return typeof claims.exp === 'number' && claims.exp * 1000 > Date.now() ? claims : undefined;
}

function googleError(status: number, state: string, message: string): Reply {
  return { status, body: JSON.stringify({ error: { code: status, message, status: state } }) };
}

/** Audiences Google's token endpoint accepts in a JWT-bearer assertion (the library uses the first). */
const TOKEN_AUDIENCES = ['https://www.googleapis.com/oauth2/v4/token', 'https://oauth2.googleapis.com/token'];

/**
 * Google's OAuth token endpoint (JWT-bearer grant for a service account whose public key it knows),
 * the Cloud Functions v2 `functions.get`, and the functions' HTTPS triggers, which accept only an
 * ID token it issued for their own URL.
 */
export class FakeGcp extends Loopback<'Token' | 'GetFunction' | 'Invoke'> {
  readonly clientEmail = 'talon@test-project.iam.gserviceaccount.com';
  readonly tokenRequests: { kind: 'access' | 'id'; audience?: string; scope?: string }[] = [];
  readonly getFunctions: string[] = [];
  readonly invocations: { name: string; payload: unknown; audience: string; email: unknown; contentType?: string }[] = [];
  /** Why each refused request was refused. */
  readonly rejected: string[] = [];
  private readonly account = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly google = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly accessTokens = new Set<string>();
  /** Full resource name → trigger path (undefined: no HTTPS trigger). */
  private readonly functions = new Map<string, string | undefined>();
  private readonly responses = new Map<string, Reply>();

  constructor(readonly project = 'test-project') {
    super();
  }

  /** A service-account key file whose `token_uri` points at this fake; returns its path. */
  writeCredentials(dir: string, overrides: Record<string, unknown> = {}): string {
    const key = {
      type: 'service_account',
      project_id: this.project,
      private_key_id: 'test-key-1',
      private_key: this.account.privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: this.clientEmail,
      client_id: '1234567890',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: `${this.url}/token`,
      ...overrides,
    };
    const path = join(dir, `sa-${randomUUID()}.json`);
    writeFileSync(path, JSON.stringify(key));
    return path;
  }

  addFunction(location: string, name: string, options: { project?: string; withUri?: boolean } = {}): this {
    const full = `projects/${options.project ?? this.project}/locations/${location}/functions/${name}`;
    this.functions.set(full, options.withUri === false ? undefined : `/trigger/${location}/${name}`);
    return this;
  }
  /** What the function `name` answers when invoked (default 200 `{"ok":true}`). */
  respondWith(name: string, reply: Reply): this {
    this.responses.set(name, reply);
    return this;
  }

  protected handle(req: FakeRequest): Reply {
    if (req.method === 'POST' && req.path === '/token') return this.token(req);
    const get = /^\/v2\/(projects\/[^/]+\/locations\/[^/]+\/functions\/[^/]+)$/.exec(req.path);
    if (get && req.method === 'GET') return this.getFunction(req, get[1] ?? '');
    const trigger = /^\/trigger\/([^/]+)\/([^/]+)$/.exec(req.path);
    if (trigger && req.method === 'POST') return this.invoke(req, trigger[2] ?? '');
    return googleError(404, 'NOT_FOUND', `no route ${req.method} ${req.path}`);
  }

  private token(req: FakeRequest): Reply {
    const form = new URLSearchParams(req.text);
    const scripted = this.scripted('Token');
    if (scripted) return scripted;
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return this.refuse(400, 'unsupported_grant_type', 'grant_type');
    const claims = verifyJwt(form.get('assertion') ?? '', this.account.publicKey);
    if (!claims) return this.refuse(400, 'invalid_grant', 'Invalid JWT Signature.');
    if (claims.iss !== this.clientEmail) return this.refuse(400, 'invalid_grant', `unknown issuer ${String(claims.iss)}`);
    if (![...TOKEN_AUDIENCES, `${this.url}/token`].includes(String(claims.aud))) return this.refuse(400, 'invalid_grant', `bad audience ${String(claims.aud)}`);
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.target_audience === 'string') {
      this.tokenRequests.push({ kind: 'id', audience: claims.target_audience });
      const idToken = signJwt(
        {
          iss: 'https://accounts.google.com',
          aud: claims.target_audience,
          azp: this.clientEmail,
          email: this.clientEmail,
          sub: '1234567890',
          iat: now,
          exp: now + 3600,
        },
        this.google.privateKey,
        'google-1',
      );
      return { status: 200, body: JSON.stringify({ id_token: idToken }) };
    }
    if (!(typeof claims.scope === 'string' ? claims.scope : '').split(' ').includes('https://www.googleapis.com/auth/cloud-platform'))
      return this.refuse(400, 'invalid_scope', 'scope');
    this.tokenRequests.push({ kind: 'access', scope: String(claims.scope) });
    const accessToken = `ya29.${randomUUID()}`;
    this.accessTokens.add(accessToken);
    return { status: 200, body: JSON.stringify({ access_token: accessToken, expires_in: 3599, token_type: 'Bearer' }) };
  }

  private refuse(status: number, error: string, description: string): Reply {
    this.rejected.push(`${error}: ${description}`);
    return { status, body: JSON.stringify({ error, error_description: description }) };
  }

  private getFunction(req: FakeRequest, name: string): Reply {
    this.getFunctions.push(name);
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!bearer || !this.accessTokens.has(bearer)) {
      this.rejected.push(`GET ${name}: no valid access token`);
      return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    }
    const scripted = this.scripted('GetFunction');
    if (scripted) return scripted;
    if (!this.functions.has(name)) return googleError(404, 'NOT_FOUND', `Resource '${name}' was not found`);
    const path = this.functions.get(name);
    const serviceConfig = path ? { uri: `${this.url}${path}`, service: `projects/${this.project}/locations/x/services/y` } : {};
    return { status: 200, body: JSON.stringify({ name, environment: 'GEN_2', state: 'ACTIVE', serviceConfig }) };
  }

  private invoke(req: FakeRequest, name: string): Reply {
    const audience = `${this.url}${req.path}`;
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1] ?? '';
    const claims = verifyJwt(bearer, this.google.publicKey);
    if (!claims || claims.aud !== audience) {
      this.rejected.push(`POST ${req.path}: ${claims ? `ID token for ${String(claims.aud)}` : 'no valid ID token'}`);
      return { status: 401, headers: { 'content-type': 'text/html' }, body: 'Your client does not have permission to the requested URL.' };
    }
    this.invocations.push({ name, payload: JSON.parse(req.text), audience, email: claims.email, contentType: req.headers['content-type'] });
    return this.scripted('Invoke') ?? this.responses.get(name) ?? { status: 200, body: JSON.stringify({ ok: true }) };
  }
}
