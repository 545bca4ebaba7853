// Deterministic initial values for adapter tensors. mulberry32 is plenty for initialization (it only has
// to be seeded and reproducible; the estimators' direction streams use their own generator).

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hash of (seed, tensor name), so each tensor gets its own stream independent of list order. */
function streamSeed(seed: number, name: string): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * PyTorch's nn.Linear default (kaiming_uniform_ with a = √5), which PEFT keeps for lora_A:
 * U(−1/√fan_in, 1/√fan_in).
 */
export function kaimingUniform(count: number, fanIn: number, seed: number, name: string): Float32Array {
  const next = mulberry32(streamSeed(seed, name));
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * next() - 1) * bound;
  return out;
}
