// Light on purpose: the configuration schema validates keys with it, and the CLI loads that schema.

export interface EncryptionKey {
  readonly id: string;
  /** 32 bytes: AES-256. */
  readonly key: Buffer;
}

/**
 * Parses `encryption.keys` entries, `<id>:<base64 of 32 bytes>`. The first key encrypts; every key
 * decrypts. Throws naming the entry (never the key) when one is malformed.
 */
export function parseEncryptionKeys(entries: readonly string[]): EncryptionKey[] {
  const keys = entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const key = Buffer.from(colon > 0 ? entry.slice(colon + 1) : '', 'base64');
    if (id === '' || !/^[A-Za-z0-9._-]+$/.test(id))
      throw new Error(`encryption.keys[${i}]: expected '<id>:<base64 key>' with an id of letters, digits, '.', '_' or '-'`);
    if (key.length !== 32) throw new Error(`encryption.keys[${i}] ('${id}'): the key must be 32 bytes (AES-256), base64-encoded; it has ${key.length}`);
    return { id, key };
  });
  const ids = new Set(keys.map((k) => k.id));
  if (ids.size !== keys.length) throw new Error('encryption.keys: two keys have the same id');
  return keys;
}
