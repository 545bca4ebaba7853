// Which tensors weight decay applies to. All reference codes (MeZO, LOZO, SubZero, ZO-Bench) skip biases
// and LayerNorm weights; Llama-family names spell norms `input_layernorm`, `post_attention_layernorm`,
// `model.norm`, so any name containing "norm" is skipped too.
export function decays(name: string): boolean {
  const lower = name.toLowerCase();
  return !lower.includes('bias') && !lower.includes('norm');
}
