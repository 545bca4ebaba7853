// Encodes estimator/optimizer/RNG state (plain data) for a checkpoint. Float32Arrays (momentum buffers,
// Adam moments, SVRG anchors — possibly as large as the model) are taken out of the JSON and stored as
// tensors in the checkpoint's safetensors file, bit-exact; the JSON keeps a `{"$f32": name}` reference.
// Values JSON cannot hold exactly are tagged too: NaN/±Infinity/-0 (`$num`), BigInt RNG words
// (`$bigint`) and undefined (`$undefined`). Anything else (Map, class instances, other typed arrays)
// is refused with its path, because a resumed run must see exactly the state it saved.

export interface EncodedState {
  json: unknown;
  arrays: { name: string; data: Float32Array }[];
}

const TAGS = ['$f32', '$num', '$bigint', '$undefined'];

/** `prefix` names the arrays (`<prefix>0`, `<prefix>1`, ...); `label` names the state in errors. */
export function encodeState(value: unknown, prefix: string, label: string): EncodedState {
  const arrays: EncodedState['arrays'] = [];
  const encode = (item: unknown, path: string): unknown => {
    if (item instanceof Float32Array) {
      const name = `${prefix}${arrays.length}`;
      arrays.push({ name, data: item });
      return { $f32: name };
    }
    if (typeof item === 'number') {
      if (Number.isFinite(item) && !Object.is(item, -0)) return item;
      return { $num: Object.is(item, -0) ? '-0' : String(item) };
    }
    if (typeof item === 'bigint') return { $bigint: item.toString() };
    if (item === undefined) return { $undefined: true };
    if (item === null || typeof item === 'string' || typeof item === 'boolean') return item;
    if (Array.isArray(item)) return item.map((inner, i) => encode(inner, `${path}[${i}]`));
    if (typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      const out: Record<string, unknown> = {};
      for (const [key, inner] of Object.entries(item)) {
        if (TAGS.includes(key))
          throw new Error(`${path}: the key "${key}" is reserved by the checkpoint format`);
        out[key] = encode(inner, `${path}.${key}`);
      }
      return out;
    }
    const kind = typeof item === 'object' ? (item.constructor?.name ?? 'object') : typeof item;
    throw new Error(
      `${path}: a ${kind} cannot be saved in a checkpoint; state must be plain data ` +
        `(numbers, strings, booleans, arrays, plain objects, BigInt, Float32Array)`,
    );
  };
  return { json: encode(value, label), arrays };
}

/** Inverse of encodeState; `arrays` maps the stored tensor names to their data. */
export function decodeState(
  json: unknown,
  arrays: ReadonlyMap<string, Float32Array>,
  label: string,
): unknown {
  const decode = (item: unknown, path: string): unknown => {
    if (Array.isArray(item)) return item.map((inner, i) => decode(inner, `${path}[${i}]`));
    if (item === null || typeof item !== 'object') return item;
    const record = item as Record<string, unknown>;
    if (typeof record.$f32 === 'string') {
      const data = arrays.get(record.$f32);
      if (!data)
        throw new Error(`${path}: refers to tensor "${record.$f32}", which the checkpoint does not contain`);
      return data;
    }
    if (typeof record.$num === 'string') return record.$num === '-0' ? -0 : Number(record.$num);
    if (typeof record.$bigint === 'string') return BigInt(record.$bigint);
    if (record.$undefined === true) return undefined;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) out[key] = decode(inner, `${path}.${key}`);
    return out;
  };
  return decode(json, label);
}
