// PseuZO's per-step host work is dominated by ⟨Δo_i, e_t⟩ for every window entry: W·|o| multiply-adds
// (14 × 65,536 on stories260k at batch 16×64), against a forward pass of a few tens of ms. Each
// product is a sequential float64 sum over the right-aligned common suffix — the order is fixed, so
// the results do not depend on how the loops are grouped — but a scalar loop is bound by its one add
// chain and by re-reading e. Four entries share one pass over e here (four independent chains, e read
// W/4 times): 2–3× faster than one dot per entry (see DESIGN.md, PseuZO in LoRA mode).

/** shifted − base, entry by entry: the Δo that joins the window (a new array, kept across steps). */
export function outputDifference(shifted: Float32Array, base: Float32Array): Float32Array {
  if (shifted.length !== base.length) {
    throw new Error(
      `pseuzo: perturbed outputs have ${shifted.length} entries, the unperturbed ones ${base.length}`,
    );
  }
  const delta = new Float32Array(shifted.length);
  for (let i = 0; i < delta.length; i++) delta[i] = (shifted[i] as number) - (base[i] as number);
  return delta;
}

/** The right-aligned common suffixes of a and e (Δo from an earlier, shorter or longer batch). */
function suffixes(a: Float32Array, e: Float32Array): [Float32Array, Float32Array] {
  const n = Math.min(a.length, e.length);
  return [a.subarray(a.length - n), e.subarray(e.length - n)];
}

function dot(a: Float32Array, e: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length && i < e.length; i++) sum += (a[i] as number) * (e[i] as number);
  return sum;
}

/** out[at … at+3] = ⟨a|b|c|d, e⟩ in one pass; all five have the same length. */
function dot4(
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  d: Float32Array,
  e: Float32Array,
  out: Float64Array,
  at: number,
): void {
  let sa = 0;
  let sb = 0;
  let sc = 0;
  let sd = 0;
  const n = Math.min(e.length, a.length, b.length, c.length, d.length);
  for (let i = 0; i < n; i++) {
    const v = e[i] as number;
    sa += (a[i] as number) * v;
    sb += (b[i] as number) * v;
    sc += (c[i] as number) * v;
    sd += (d[i] as number) * v;
  }
  out[at] = sa;
  out[at + 1] = sb;
  out[at + 2] = sc;
  out[at + 3] = sd;
}

/** ⟨entries[i], e⟩ over each pair's right-aligned common suffix, for every entry. */
export function windowDots(entries: readonly Float32Array[], e: Float32Array): Float64Array {
  const out = new Float64Array(entries.length);
  const suffixLength = (i: number) => Math.min((entries[i] as Float32Array).length, e.length);
  let i = 0;
  for (; i + 3 < entries.length; i += 4) {
    const n = suffixLength(i);
    if (suffixLength(i + 1) === n && suffixLength(i + 2) === n && suffixLength(i + 3) === n) {
      const [a, tail] = suffixes(entries[i] as Float32Array, e);
      const [b] = suffixes(entries[i + 1] as Float32Array, e);
      const [c] = suffixes(entries[i + 2] as Float32Array, e);
      const [d] = suffixes(entries[i + 3] as Float32Array, e);
      dot4(a, b, c, d, tail, out, i);
    } else {
      for (let k = i; k < i + 4; k++) out[k] = dot(...suffixes(entries[k] as Float32Array, e));
    }
  }
  for (; i < entries.length; i++) out[i] = dot(...suffixes(entries[i] as Float32Array, e));
  return out;
}
