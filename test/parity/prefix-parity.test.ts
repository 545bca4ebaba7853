// Prefix tuning has no "no-op" start: zero keys/values still take softmax mass (each zero key scores 0),
// so zero-initialized prefixes cannot be compared with the base model. What IS exact: a prefix holding
// the base model's own keys/values for N real tokens (MeZO's init from real activations) must make
// the prefixed model equal the base model run on those N tokens followed by the text. That checks the
// PEFT prompt_embeddings layout, the per-layer key/value split, the extended attention mask, and the
// position offset (RoPE for Llama/Qwen2, learned +2 for OPT, learned for GPT-2) including left padding.
// The zero start is checked separately: finite and different from the base loss.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { prefixFromTokens } from '../../core/runtime/prefix-from-tokens.ts';
import { MODELS, TINY_MODELS, readReference, toBatch } from './reference-fixture.ts';

const PREFIX_TOKENS = 3;

describe.each(['stories260k', ...TINY_MODELS])('%s prefix mode', (name) => {
  it('with real-activation keys/values equals the base model on prefix + text (padded both ways)', async () => {
    const model = await loadModel(path.join(MODELS, name));
    const [first, second] = readReference(name).prompts;
    if (!first || !second) throw new Error('need two prompts');
    const prefixIds = second.ids.slice(0, PREFIX_TOKENS);
    const texts = [first.ids, second.ids.slice(PREFIX_TOKENS)];
    const prompt = await prefixFromTokens(model, prefixIds);

    const prefixed = await Engine.create(model, {
      peft: { kind: 'prefix', tokens: PREFIX_TOKENS },
      outputs: { lastLogits: true },
    });
    const base = await Engine.create(model, { outputs: { lastLogits: true } });
    try {
      const width = Math.max(...texts.map((t) => t.length));
      for (const side of ['left', 'right'] as const) {
        const pad = (row: number[], to: number) => {
          const fill = new Array<number>(to - row.length).fill(0);
          return side === 'left' ? [...fill, ...row] : [...row, ...fill];
        };
        const mask = (row: number[], to: number) =>
          pad(
            row.map(() => 1),
            to,
          );
        const withPrefix = await prefixed.forward(
          toBatch(
            texts.map((t) => pad(t, width)),
            texts.map((t) => mask(t, width)),
          ),
          [prompt],
        );
        // Base model: the same rows with the prefix tokens in front; they and the first text token are
        // unlabelled (nothing in the prefixed run predicts them).
        const full = texts.map((t) => [...prefixIds, ...t]);
        const fullBatch = toBatch(
          full.map((t) => pad(t, width + PREFIX_TOKENS)),
          full.map((t) => mask(t, width + PREFIX_TOKENS)),
        );
        fullBatch.labels = fullBatch.labels.map((label, i) => {
          const row = Math.floor(i / fullBatch.seqLen);
          const firstReal = side === 'left' ? fullBatch.seqLen - (full[row] as number[]).length : 0;
          return (i % fullBatch.seqLen) - firstReal <= PREFIX_TOKENS ? -100n : label;
        });
        const reference = await base.forward(fullBatch, []);
        for (let b = 0; b < texts.length; b++) {
          expect(withPrefix.loss[b]).toBeCloseTo(reference.loss[b] as number, 4);
        }
        const v = model.config.vocab;
        const worst = Math.max(
          ...Array.from(withPrefix.lastLogits as Float32Array, (x, i) =>
            Math.abs(x - (reference.lastLogits as Float32Array)[i]!),
          ),
        );
        expect(worst, `max |Δ last logits| (${side} padding), vocab ${v}`).toBeLessThan(1e-4);
      }
      // Zero prefix: a valid model, but not the base one (each zero key takes softmax mass).
      const ids = first.ids;
      const single = toBatch([ids], [ids.map(() => 1)]);
      const zero = await prefixed.forward(single, prefixed.initialParams());
      const plain = await base.forward(single, []);
      expect(Number.isFinite(zero.loss[0])).toBe(true);
      expect(Math.abs((zero.loss[0] as number) - (plain.loss[0] as number))).toBeGreaterThan(1e-4);
    } finally {
      await prefixed.dispose();
      await base.dispose();
    }
  });
});
