import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
// A CommonJS module: Node's ESM loader gives only its default export.
import proto from '@temporalio/proto';
import { parseEncryptionKeys, type EncryptionKey } from './encryption-keys.ts';

/** Metadata `encoding` of an encrypted payload (the convention of Temporal's samples). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata key naming the key that encrypted a payload, so old keys still decrypt after a rotation. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM payload codec: every payload (workflow input and result, activity arguments and
 * results, memo, failures' details) is stored encrypted in Temporal's history. The whole Payload
 * proto (metadata included) is encrypted with a random 96-bit IV; the key id travels in the clear
 * metadata. Payloads without the encrypted encoding are passed through on decode, so histories
 * written before encryption was turned on stay readable.
 */
export class AesGcmCodec implements PayloadCodec {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly active: EncryptionKey;

  constructor(keys: readonly EncryptionKey[]) {
    const [active] = keys;
    if (!active) throw new Error('AesGcmCodec needs at least one key');
    this.active = active;
    this.keys = new Map(keys.map((k) => [k.id, k.key]));
  }

  encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.resolve(
      payloads.map((payload) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
        const plain = proto.temporal.api.common.v1.Payload.encode(payload).finish();
        const data = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
        return {
          metadata: { encoding: Buffer.from(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: Buffer.from(this.active.id) },
          data,
        };
      }),
    );
  }

  decode(payloads: Payload[]): Promise<Payload[]> {
    // In the executor, so a payload that cannot be decrypted rejects rather than throws.
    return new Promise((resolve) =>
      resolve(
        payloads.map((payload) => {
          if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING) return payload;
          const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
          const key = this.keys.get(id);
          if (!key) throw new Error(`payload encrypted with key '${id}', which is not among encryption.keys`);
          const data = Buffer.from(payload.data ?? []);
          if (data.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted payload too short');
          const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
          decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
          const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
          return proto.temporal.api.common.v1.Payload.decode(plain);
        }),
      ),
    );
  }
}

/** The data converter for clients and workers: the codec when keys are configured, else Temporal's default. */
export function dataConverterFor(keyEntries: readonly string[]): { payloadCodecs: PayloadCodec[] } | undefined {
  return keyEntries.length > 0 ? { payloadCodecs: [new AesGcmCodec(parseEncryptionKeys(keyEntries))] } : undefined;
}
