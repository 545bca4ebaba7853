// The adapter branches and the extra outputs against hand computations in float64 JS:
// - LoRA (branch and merged graph forms): the loss with non-zero A, B equals the loss of full mode fed
//   W + (α/r)·B·A (merged in JS);
//   for GPT-2's Conv1D ([in, out]) the merged delta is transposed.
// - low-rank: the loss with U, V equals full mode fed W + U·Vᵀ.
// - hidden_grad equals (softmax(h·Wᵀ) − onehot)·W / tokens, and loss equals the CE, computed in JS from
//   the `hidden` output; candidate_logits equal last_logits at the candidate ids.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { linearStorage } from '../../core/peft/linear-dims.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { MODELS, promptsBatch, readReference } from '../parity/reference-fixture.ts';

/** Deterministic small values in [−scale, scale). */
function pseudoRandom(count: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** C[rows, cols] = Σ_k left[i, k]·right[k, j] in float64 (right given as [k, cols]). */
function matmul(
  left: Float32Array,
  right: Float32Array,
  rows: number,
  inner: number,
  cols: number,
): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let k = 0; k < inner; k++) {
      const a = left[i * inner + k] as number;
      for (let j = 0; j < cols; j++) out[i * cols + j]! += a * (right[k * cols + j] as number);
    }
  return out;
}

function transposed(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c] as number;
  return out;
}

async function fullModeLoss(model: LoadedModel, deltas: Map<string, Float64Array>): Promise<Float32Array> {
  const engine = await Engine.create(model, { peft: { kind: 'full' } });
  try {
    const params = engine.initialParams().map((w, i) => {
      const delta = deltas.get(engine.trainables[i]!.name);
      return delta ? Float32Array.from(w, (x, j) => x + delta[j]!) : w;
    });
    const { batch } = promptsBatch(readReference(model.dir.split('/').pop() as string));
    return (await engine.forward(batch, params)).loss;
  } finally {
    await engine.dispose();
  }
}

describe.each(['stories260k', 'tiny-random-gpt2'])('%s adapters vs merged weights', (name) => {
  const { batch } = promptsBatch(readReference(name));

  it.each(['branch', 'merged'] as const)(
    'LoRA (%s form) loss equals full mode with W + (α/r)·B·A',
    async (loraForm) => {
      const model = await loadModel(path.join(MODELS, name));
      const [rank, alpha] = [2, 6];
      const engine = await Engine.create(model, { peft: { kind: 'lora', rank, alpha }, loraForm });
      const deltas = new Map<string, Float64Array>();
      let params: Float32Array[];
      try {
        params = engine.initialParams();
        const base = (await engine.forward(batch, params)).loss;
        // Give every lora_B non-zero values, so the branch is live.
        params = params.map((p, i) =>
          engine.trainables[i]!.role === 'lora_B' ? pseudoRandom(p.length, 7 + i, 0.05) : p,
        );
        const adapted = (await engine.forward(batch, params)).loss;
        expect(Math.max(...adapted.map((l, b) => Math.abs(l - base[b]!)))).toBeGreaterThan(1e-3);

        for (let i = 0; i < engine.trainables.length; i += 2) {
          const [a, b] = [engine.trainables[i]!, engine.trainables[i + 1]!];
          const [out, inner, inDim] = [b.shape[0]!, rank, a.shape[1]!];
          const delta = matmul(params[i + 1]!, params[i]!, out, inner, inDim).map((x) => (x * alpha) / rank); // [out, in]
          const weightKey = a.name
            .replace(/^base_model\.model\./, '')
            .replace(/\.lora_A\.weight$/, '.weight');
          const key = [...model.weights.tensors.keys()].find((k) => weightKey.endsWith(k)) as string;
          const stored =
            linearStorage(model.config.family) === 'in_out'
              ? Float64Array.from(transposed(Float32Array.from(delta), out, inDim))
              : delta;
          deltas.set(key, stored);
        }
        const merged = await fullModeLoss(model, deltas);
        adapted.forEach((l, b) => expect(l).toBeCloseTo(merged[b]!, 4));
      } finally {
        await engine.dispose();
      }
    },
  );

  it('low-rank branch loss equals full mode with W + U·Vᵀ', async () => {
    const model = await loadModel(path.join(MODELS, name));
    const rank = 2;
    const engine = await Engine.create(model, { peft: { kind: 'lowrank', rank } });
    try {
      const deltas = new Map<string, Float64Array>();
      const params = engine.initialParams();
      engine.trainables.forEach((t, i) => {
        if (t.role === 'lowrank_U' || t.role === 'lowrank_V')
          params[i] = pseudoRandom(params[i]!.length, 100 + i, 0.05);
      });
      engine.trainables.forEach((t, i) => {
        if (t.role !== 'lowrank_U') return;
        const key = t.name.replace(/\.lowrank_U$/, '');
        const [rows, cols] = [t.shape[0]!, engine.trainables[i + 1]!.shape[0]!];
        deltas.set(key, matmul(params[i]!, transposed(params[i + 1]!, cols, rank), rows, rank, cols));
      });
      const branched = (await engine.forward(batch, params)).loss;
      const merged = await fullModeLoss(model, deltas);
      branched.forEach((l, b) => expect(l).toBeCloseTo(merged[b]!, 4));
    } finally {
      await engine.dispose();
    }
  });
});

describe('outputs derived from the final hidden states', () => {
  it('loss and hidden_grad match a float64 JS head + cross-entropy on `hidden`; candidate_logits match last_logits', async () => {
    const model = await loadModel(path.join(MODELS, 'stories260k'));
    const { hidden: H, vocab: V } = model.config;
    const engine = await Engine.create(model, {
      outputs: { hidden: true, hiddenGrad: true, lastLogits: true, candidateLogits: true, tokenCount: true },
    });
    try {
      const { batch } = promptsBatch(readReference('stories260k'));
      const candidates = [5, 13, 432];
      batch.candidates = candidates.length;
      batch.candidateIds = BigInt64Array.from({ length: batch.batch * candidates.length }, (_, i) =>
        BigInt(candidates[i % candidates.length]!),
      );
      const out = await engine.forward(batch, []);
      const head = model.weights.readFloat32(model.layout.global.lmHead!.key); // [V, H]
      const T = batch.seqLen;
      for (let b = 0; b < batch.batch; b++) {
        let nllSum = 0;
        let count = 0;
        const grad = new Float64Array(T * H);
        const rows: { t: number; probs: Float64Array; target: number }[] = [];
        for (let t = 0; t + 1 < T; t++) {
          const label = Number(batch.labels[b * T + t + 1]);
          if (label === -100) continue;
          const logits = new Float64Array(V);
          for (let v = 0; v < V; v++) {
            let s = 0;
            for (let k = 0; k < H; k++) s += out.hidden![(b * T + t) * H + k]! * head[v * H + k]!;
            logits[v] = s;
          }
          const max = Math.max(...logits);
          const sum = logits.reduce((acc, x) => acc + Math.exp(x - max), 0);
          nllSum += max + Math.log(sum) - logits[label]!;
          count++;
          rows.push({ t, probs: logits.map((x) => Math.exp(x - max) / sum), target: label });
        }
        for (const { t, probs, target } of rows) {
          probs[target]! -= 1;
          for (let v = 0; v < V; v++)
            for (let k = 0; k < H; k++) grad[t * H + k]! += (probs[v]! * head[v * H + k]!) / count;
        }
        expect(out.loss[b]).toBeCloseTo(nllSum / count, 4);
        expect(out.tokenCount![b]).toBe(count);
        let worst = 0;
        for (let i = 0; i < T * H; i++)
          worst = Math.max(worst, Math.abs(out.hiddenGrad![b * T * H + i]! - grad[i]!));
        expect(worst).toBeLessThan(1e-5);
        candidates.forEach((id, k) =>
          expect(out.candidateLogits![b * candidates.length + k]).toBe(out.lastLogits![b * V + id]),
        );
      }
    } finally {
      await engine.dispose();
    }
  });
});

describe('answer position input', () => {
  it('answer_pos picks the logits of that position (equal to scoring the text cut there)', async () => {
    const model = await loadModel(path.join(MODELS, 'stories260k'));
    const V = model.config.vocab;
    const engine = await Engine.create(model, { outputs: { lastLogits: true, answerPos: true } });
    try {
      const { batch } = promptsBatch(readReference('stories260k'));
      const cut = 3;
      const at = await engine.forward(
        { ...batch, answerPos: new BigInt64Array(batch.batch).fill(BigInt(cut)) },
        [],
      );
      // The same rows truncated after position `cut`: their last position is `cut`.
      const T = cut + 1;
      const slice = (a: BigInt64Array) =>
        BigInt64Array.from(
          { length: batch.batch * T },
          (_, i) => a[Math.floor(i / T) * batch.seqLen + (i % T)]!,
        );
      const truncated = {
        batch: batch.batch,
        seqLen: T,
        inputIds: slice(batch.inputIds),
        attentionMask: slice(batch.attentionMask),
        labels: slice(batch.labels),
        answerPos: new BigInt64Array(batch.batch).fill(BigInt(cut)),
      };
      const last = await engine.forward(truncated, []);
      let worst = 0;
      for (let i = 0; i < batch.batch * V; i++)
        worst = Math.max(worst, Math.abs(at.lastLogits![i]! - last.lastLogits![i]!));
      expect(worst).toBeLessThan(1e-4);
      await expect(engine.forward({ ...batch, answerPos: BigInt64Array.of(0n) }, [])).rejects.toThrow(
        'answerPos must hold one position per row',
      );
    } finally {
      await engine.dispose();
    }
  });
});
