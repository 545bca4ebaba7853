// Normalization blocks. `fused` selects ORT's contrib kernels (SimplifiedLayerNormalization = RMSNorm,
// Skip*LayerNormalization = residual add + norm in one pass). On the 135M shape at 16×64 they take
// ≈40 ms per pass against ≈52 ms for the plain ops (ORT profile on the AMD EPYC dev VM; ORT does not
// fuse our x·x RMSNorm by itself), so they pay on this CPU as on the probe's; the plain form is kept
// for other EPs and as the reference build in the benchmark.
//
//   residual ─┐
//   delta ────┴─► Add ─► sum ─► Norm(γ[, β]) ─► normed
import type { GraphBuilder, Value } from '../builder.ts';
import { MS_DOMAIN } from '../builder.ts';

export interface NormSpec {
  kind: 'rms' | 'layer';
  eps: number;
  fused: boolean;
}

export interface NormWeights {
  gamma: Value;
  /** LayerNorm only. */
  beta?: Value;
}

export function norm(g: GraphBuilder, x: Value, w: NormWeights, spec: NormSpec): Value {
  if (spec.kind === 'layer') {
    if (!w.beta) throw new Error('graph: LayerNorm needs a bias (beta)');
    return g.op('LayerNormalization', [x, w.gamma, w.beta], { axis: -1, epsilon: { float: spec.eps } });
  }
  if (spec.fused) {
    return g.op('SimplifiedLayerNormalization', [x, w.gamma], { axis: -1, epsilon: { float: spec.eps } });
  }
  // x / sqrt(mean(x²) + eps) · γ, written out so every EP runs it.
  const meanSquare = g.op('ReduceMean', [g.mul(x, x)], { axes: [-1], keepdims: 1 });
  const rms = g.op('Sqrt', [g.add(meanSquare, g.f32(spec.eps))]);
  return g.mul(g.div(x, rms), w.gamma);
}

/** residual + delta, then the next norm; returns both (the sum continues the residual stream). */
export function addAndNorm(
  g: GraphBuilder,
  residual: Value,
  delta: Value,
  w: NormWeights,
  spec: NormSpec,
): { sum: Value; normed: Value } {
  if (spec.fused) {
    const op = spec.kind === 'rms' ? 'SkipSimplifiedLayerNormalization' : 'SkipLayerNormalization';
    const inputs =
      spec.kind === 'rms' ? [delta, residual, w.gamma] : [delta, residual, w.gamma, w.beta ?? ''];
    // Outputs: 0 normed, 1 mean, 2 inv_std_var, 3 input+skip sum; only 0 and 3 are used.
    const [normed, , , sum] = g.ops(
      op,
      inputs,
      { epsilon: { float: spec.eps } },
      { domain: MS_DOMAIN, outputs: 4 },
    );
    if (!normed || !sum) throw new Error(`graph: ${op} outputs missing`);
    return { sum, normed };
  }
  const sum = g.add(residual, delta);
  return { sum, normed: norm(g, sum, w, spec) };
}
