// Packing for language modelling: instead of one padded (and possibly truncated) sequence per row,
// rows are joined end to end — each keeps its BOS, an EOS closes it — and the stream is cut into
// full windows of maxLength tokens. No token is lost to truncation and no compute to padding; the
// price is that a window may start mid-row (its first token is context only, never a target).
import type { EncodedExample } from './encode.ts';

export function packLanguageModeling(
  examples: readonly EncodedExample[],
  maxLength: number,
  eosId: number | undefined,
): EncodedExample[] {
  if (maxLength < 2) throw new Error(`packing needs maxLength ≥ 2, got ${maxLength}`);
  const packed: EncodedExample[] = [];
  let ids: number[] = [];
  let firstLine = 0;
  const flush = (window: number[]) =>
    packed.push({
      line: firstLine,
      sequences: [{ ids: window, isTarget: new Uint8Array(window.length).fill(1) }],
      gold: -1,
      isTruncated: false,
    });
  for (const example of examples) {
    if (example.gold >= 0 || example.sequences.length !== 1) {
      throw new Error(`row ${example.line}: only language-modelling examples can be packed`);
    }
    if (ids.length === 0) firstLine = example.line;
    ids.push(...(example.sequences[0]?.ids ?? []));
    if (eosId !== undefined) ids.push(eosId);
    while (ids.length >= maxLength) {
      flush(ids.slice(0, maxLength));
      ids = ids.slice(maxLength);
      firstLine = example.line;
    }
  }
  if (ids.length >= 2) flush(ids);
  return packed;
}
