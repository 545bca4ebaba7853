// Merged exports evaluated by the real engine: a LoRA-adapted model, its exported-and-reimported PEFT
// adapter, its merged HF folder and its merged ONNX model must all give the same per-example loss on
// the same batch (1e-5). GPT-2 checks the transposed (Conv1D) merge; a float16 base checks that a
// merged export keeps the original dtype and copies untouched tensors byte for byte.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Params } from '../../core/estimators/types.ts';
import { mergedWeights, withWeights } from '../../core/export/merge.ts';
import { writeMergedHf } from '../../core/export/merged-hf.ts';
import { writeMergedOnnx } from '../../core/export/merged-onnx.ts';
import { writePeftAdapter } from '../../core/export/peft-adapter.ts';
import { loadModel } from '../../core/models/load.ts';
import { readSafetensorsHeader, SafetensorsWeights } from '../../core/models/safetensors/read.ts';
import { writeSafetensors } from '../../core/models/safetensors/write.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { importPeftAdapter } from '../../core/peft/adapter-import.ts';
import { planPeft } from '../../core/peft/plan.ts';
import type { PeftConfig } from '../../core/peft/plan.ts';
import { int64Tensor, Session } from '../../core/runtime/backend.ts';
import { Engine, type Batch } from '../../core/runtime/engine.ts';
import { promptsBatch, readReference } from '../parity/reference-fixture.ts';
import { MODELS, trainedParams } from './helpers.ts';

let out: string;
beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'zo-merged-'));
});
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

async function engineLoss(
  model: LoadedModel,
  peft: PeftConfig,
  params: Params,
  batch: Batch,
): Promise<Float32Array> {
  const engine = await Engine.create(model, { peft, threads: 1 });
  try {
    return (
      await engine.forward(
        batch,
        params.map((p) => p.data),
      )
    ).loss;
  } finally {
    await engine.dispose();
  }
}

async function onnxLoss(
  modelPath: string,
  batch: Batch,
): Promise<{ loss: Float32Array; lastLogits: Float32Array }> {
  const session = await Session.open(modelPath, { ep: 'cpu', threads: 1 });
  try {
    const dims = [batch.batch, batch.seqLen];
    const result = await session.run(
      {
        input_ids: int64Tensor(batch.inputIds, dims),
        attention_mask: int64Tensor(batch.attentionMask, dims),
        labels: int64Tensor(batch.labels, dims),
      },
      ['loss', 'last_logits'],
    );
    return { loss: result.loss!, lastLogits: result.last_logits! };
  } finally {
    await session.dispose();
  }
}

const maxDiff = (a: Float32Array, b: Float32Array) =>
  a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i]!)), 0);

describe.each([
  {
    fixture: 'stories260k',
    peft: { kind: 'lora', rank: 4, alpha: 8, targets: ['q_proj', 'v_proj', 'o_proj', 'down_proj'] },
  },
  { fixture: 'tiny-random-gpt2', peft: { kind: 'lora', rank: 2, alpha: 4, targets: ['c_attn', 'c_fc'] } },
] as const)('$fixture LoRA: adapter, merged HF and merged ONNX agree', ({ fixture, peft }) => {
  let model: LoadedModel;
  let params: Params;
  let batch: Batch;
  let adaptedLoss: Float32Array;
  const dir = (name: string) => join(out, fixture, name);

  beforeAll(async () => {
    model = await loadModel(join(MODELS, fixture));
    params = trainedParams(planPeft(model, peft), 3, 0.2);
    batch = promptsBatch(readReference(fixture)).batch;
    adaptedLoss = await engineLoss(model, peft, params, batch);
    const baseLoss = await engineLoss(model, { kind: 'none' }, [], batch);
    // The adapter must matter, or "same loss" below would prove nothing.
    expect(maxDiff(adaptedLoss, baseLoss)).toBeGreaterThan(1e-3);
  });

  it('the exported adapter, re-imported, gives the same loss', async () => {
    writePeftAdapter(dir('adapter'), { model, plan: planPeft(model, peft), params, baseModel: fixture });
    const imported = importPeftAdapter(dir('adapter'), model);
    expect(
      maxDiff(await engineLoss(model, imported.peft, imported.params, batch), adaptedLoss),
    ).toBeLessThanOrEqual(1e-5);
  });

  it('the merged HF folder loads as a plain model and gives the same loss', async () => {
    const plan = planPeft(model, peft);
    writeMergedHf(dir('merged'), withWeights(model, mergedWeights(model, plan, params)));
    expect(
      readFileSync(join(dir('merged'), 'tokenizer.json')).equals(
        readFileSync(join(model.dir, 'tokenizer.json')),
      ),
    ).toBe(true);
    const merged = await loadModel(dir('merged'));
    expect(merged.config.raw).toEqual(model.config.raw);
    expect(maxDiff(await engineLoss(merged, { kind: 'none' }, [], batch), adaptedLoss)).toBeLessThanOrEqual(
      1e-5,
    );
    // Only the adapted weights changed.
    for (const [name] of model.weights.tensors) {
      const isAdapted = plan.lora.has(name);
      expect(
        Buffer.from(merged.weights.readRaw(name)).equals(Buffer.from(model.weights.readRaw(name))),
        name,
      ).toBe(!isAdapted);
    }
  });

  it('the merged ONNX model gives the same loss and next-token logits', async () => {
    const plan = planPeft(model, peft);
    const written = writeMergedOnnx(dir('onnx'), withWeights(model, mergedWeights(model, plan, params)));
    const onnx = await onnxLoss(written.files[0]!, batch);
    expect(maxDiff(onnx.loss, adaptedLoss)).toBeLessThanOrEqual(1e-5);
    const engine = await Engine.create(model, { peft, outputs: { lastLogits: true }, threads: 1 });
    try {
      const reference = await engine.forward(
        batch,
        params.map((p) => p.data),
      );
      expect(maxDiff(onnx.lastLogits, reference.lastLogits!)).toBeLessThanOrEqual(1e-4);
    } finally {
      await engine.dispose();
    }
  });
});

describe('prefix adapter', () => {
  it('re-imported onto the base model gives the same loss as the prefix it was exported from', async () => {
    const model = await loadModel(join(MODELS, 'stories260k'));
    const peft = { kind: 'prefix', tokens: 3 } as const;
    const params = trainedParams(planPeft(model, peft), 9, 0.5);
    const batch = promptsBatch(readReference('stories260k')).batch;
    const prefixed = await engineLoss(model, peft, params, batch);
    expect(maxDiff(prefixed, await engineLoss(model, { kind: 'none' }, [], batch))).toBeGreaterThan(1e-3);
    writePeftAdapter(join(out, 'prefix'), {
      model,
      plan: planPeft(model, peft),
      params,
      baseModel: 'stories260k',
    });
    const imported = importPeftAdapter(join(out, 'prefix'), model);
    expect(imported.peft).toEqual(peft);
    expect(maxDiff(await engineLoss(model, imported.peft, imported.params, batch), prefixed)).toBe(0);
  });
});

describe('merging', () => {
  it('keeps a float16 model in float16 and copies the untouched tensors byte for byte', async () => {
    const source = await loadModel(join(MODELS, 'tiny-random-llama'));
    const halfDir = join(out, 'half-llama');
    mkdirSync(halfDir, { recursive: true });
    for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
      writeFileSyncCopy(join(source.dir, name), join(halfDir, name));
    }
    writeSafetensors(
      join(halfDir, 'model.safetensors'),
      [...source.weights.tensors.values()].map((t) => ({
        name: t.name,
        dtype: 'float16' as const,
        shape: t.shape,
        data: source.weights.readFloat32(t.name).slice(),
      })),
      { format: 'pt' },
    );
    const half = await loadModel(halfDir);
    expect(half.config.dtype).toBe('float16');
    const peft = { kind: 'lora', rank: 2, alpha: 2 } as const;
    const plan = planPeft(half, peft);
    writeMergedHf(
      join(out, 'half-merged'),
      withWeights(half, mergedWeights(half, plan, trainedParams(plan, 5, 0.2))),
    );
    const header = readSafetensorsHeader(join(out, 'half-merged', 'model.safetensors'));
    expect(new Set(header.tensors.map((t) => t.dtype))).toEqual(new Set(['float16']));
    const merged = new SafetensorsWeights([header]);
    for (const [name] of half.weights.tensors) {
      expect(Buffer.from(merged.readRaw(name)).equals(Buffer.from(half.weights.readRaw(name))), name).toBe(
        !plan.lora.has(name),
      );
    }
  });

  it('writes a full fine-tune as its trained tensors, in the model dtype (float16 OPT)', async () => {
    const model = await loadModel(join(MODELS, 'tiny-random-opt'));
    expect(model.config.dtype).toBe('float16');
    const plan = planPeft(model, { kind: 'full' });
    const params = trainedParams(plan, 13, 0.1);
    writeMergedHf(join(out, 'full-opt'), withWeights(model, mergedWeights(model, plan, params)));
    const merged = await loadModel(join(out, 'full-opt'));
    expect(merged.weights.tensors.size).toBe(model.weights.tensors.size);
    for (const param of params) {
      const expected = param.data.map((value) => Math.f16round(value));
      const isEqual = Buffer.from(merged.weights.readFloat32(param.name).buffer).equals(
        Buffer.from(expected.buffer),
      );
      expect(isEqual, param.name).toBe(true);
    }
  });

  it('refuses to merge a prefix run', async () => {
    const model = await loadModel(join(MODELS, 'stories260k'));
    const plan = planPeft(model, { kind: 'prefix', tokens: 2 });
    expect(() => mergedWeights(model, plan, trainedParams(plan))).toThrow(
      /prefix-tuning run .* cannot be merged .*\(--format peft\)/,
    );
  });
});

function writeFileSyncCopy(from: string, to: string): void {
  writeFileSync(to, readFileSync(from));
}
