// Checkpoint encoding of estimator and optimizer state. State is plain data (numbers, strings, arrays,
// objects, Float32Arrays); JSON cannot hold a Float32Array, so each one becomes {"$f32": base64 of its
// little-endian bytes}, which restores bit-exactly (a decimal round trip would too, at ~3× the size).

const TAG = '$f32';

export type PlainState =
  null | boolean | number | string | Float32Array | PlainState[] | { [key: string]: PlainState };

/** A JSON-safe copy of `state`; throws on values that are not plain state (functions, Maps, ...). */
export function encodeState(state: unknown, path = 'state'): unknown {
  if (state === null || typeof state === 'boolean' || typeof state === 'string') return state;
  if (typeof state === 'number') {
    if (!Number.isFinite(state))
      throw new Error(`${path}: non-finite number ${state} cannot be checkpointed`);
    return state;
  }
  if (state instanceof Float32Array) {
    return { [TAG]: Buffer.from(state.buffer, state.byteOffset, state.byteLength).toString('base64') };
  }
  if (Array.isArray(state)) return state.map((item, i) => encodeState(item, `${path}[${i}]`));
  if (typeof state === 'object' && Object.getPrototypeOf(state) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(state as Record<string, unknown>).map(([key, value]) => [
        key,
        encodeState(value, `${path}.${key}`),
      ]),
    );
  }
  throw new Error(`${path}: ${Object.prototype.toString.call(state)} is not plain checkpoint state`);
}

/** Inverse of encodeState (after JSON.parse). */
export function decodeState(encoded: unknown, path = 'state'): unknown {
  if (Array.isArray(encoded)) return encoded.map((item, i) => decodeState(item, `${path}[${i}]`));
  if (encoded !== null && typeof encoded === 'object') {
    const record = encoded as Record<string, unknown>;
    const tagged = record[TAG];
    if (typeof tagged === 'string' && Object.keys(record).length === 1) {
      const bytes = Buffer.from(tagged, 'base64');
      if (bytes.length % 4 !== 0)
        throw new Error(`${path}: Float32Array payload has ${bytes.length} bytes, not a multiple of 4`);
      const out = new Float32Array(bytes.length / 4);
      new Uint8Array(out.buffer).set(bytes);
      return out;
    }
    return Object.fromEntries(
      Object.entries(record).map(([key, value]) => [key, decodeState(value, `${path}.${key}`)]),
    );
  }
  return encoded;
}
