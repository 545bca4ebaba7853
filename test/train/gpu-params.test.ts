// GpuTrainingParams on webgpu, below the session: a pass at θ + s·d made on the device equals a pass fed
// θ + s·d written on the host (expand.ts) for every term kind, alone and summed; the paths past its
// limits (directions that no longer fit on the device, the periodic re-upload) keep the device copy
// equal to the host masters; temporaries are released. stories260k with LoRA r2 on q_proj/v_proj.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePerturbed } from '../../core/estimators/expand.ts';
import { matrixShape } from '../../core/estimators/shapes.ts';
import type { Direction, EstimateTerm, Params } from '../../core/estimators/types.ts';
import { loadModel } from '../../core/models/load.ts';
import { createUpdateRule } from '../../core/optim/registry.ts';
import { Stream } from '../../core/random/streams.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { GpuTrainingParams } from '../../core/train/gpu-params.ts';
import { MODELS, promptsBatch, readReference } from '../parity/reference-fixture.ts';
import { webgpu } from '../helpers/webgpu.ts';

function wave(count: number, phase: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + phase) * scale);
}

const gaussian = (seed: number, sample: number, coef: number): EstimateTerm => ({
  kind: 'gaussian',
  seed,
  stream: Stream.direction,
  sample,
  coef,
});

describe.skipIf(!webgpu.available)('GpuTrainingParams on webgpu (stories260k, LoRA r2)', () => {
  let engine: Engine;
  const { batch } = promptsBatch(readReference('stories260k'));
  const opened: GpuTrainingParams[] = [];

  beforeAll(async () => {
    const model = await loadModel(path.join(MODELS, 'stories260k'));
    engine = await Engine.create(model, {
      ep: 'webgpu',
      peft: { kind: 'lora', rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'] },
    });
  });
  afterAll(async () => {
    for (const gpu of opened) await gpu.dispose();
    await engine.dispose();
  });

  /** Fresh masters: LoRA A as initialized, B a non-zero wave so every adapter matters. */
  function freshParams(): Params {
    const initial = engine.initialParams();
    return engine.trainables.map((t, i) => ({
      name: t.name,
      shape: t.shape,
      data: t.role === 'lora_B' ? wave(initial[i]?.length ?? 0, i, 0.05) : (initial[i] as Float32Array),
    }));
  }

  function open(options: ConstructorParameters<typeof GpuTrainingParams>[1] = {}): GpuTrainingParams {
    const gpu = new GpuTrainingParams(engine, options);
    opened.push(gpu);
    return gpu;
  }

  /** The host path: θ + scale·d written densely, every tensor fed from the host. */
  async function hostLossAt(params: Params, direction: Direction, scale: number): Promise<Float32Array> {
    const values = params.map((p, i) => {
      const out = new Float32Array(p.data.length);
      writePerturbed(out, p.data, direction[i] ?? [], i, scale);
      return out;
    });
    return (await engine.forward(batch, values)).loss;
  }

  function expectSameLoss(actual: Float32Array, expected: Float32Array): void {
    expected.forEach((l, b) => expect(Math.abs((actual[b] as number) - l)).toBeLessThan(2e-5));
  }

  it('perturbs with Gaussian, low-rank, dense and summed terms as the host path does', async () => {
    const params = freshParams();
    const gpu = open();
    const lowRank = (index: number, rank: number): EstimateTerm => {
      const { rows, cols } = matrixShape(params[index]?.shape ?? []) as { rows: number; cols: number };
      return {
        kind: 'low-rank',
        rows,
        cols,
        rank,
        left: wave(rows * rank, index, 0.3),
        right: wave(cols * rank, 9, 0.3),
      };
    };
    const dense = (index: number, coef: number): EstimateTerm => ({
      kind: 'dense',
      data: wave(params[index]?.data.length ?? 0, 2 * index, 1),
      coef,
    });
    // Every kind on some tensors, all three summed on others, nothing on the rest.
    const direction: Direction = params.map((_, i) => {
      const kind = i % 5;
      if (kind === 0) return [gaussian(11, 0, 1)];
      if (kind === 1) return [lowRank(i, 2)];
      if (kind === 2) return [dense(i, 0.5)];
      if (kind === 3) return [gaussian(11, 0, 0.7), dense(i, -0.2), lowRank(i, 1)];
      return [];
    });
    for (const scale of [1e-2, -1e-2]) {
      const device = await gpu.forwardAt(batch, params, direction, scale);
      expectSameLoss(device.loss, await hostLossAt(params, direction, scale));
    }
    // θ, plus the z of each tensor with a Gaussian term, kept for the step's update; nothing else.
    const gaussianTensors = direction.filter((terms) => terms.some((t) => t.kind === 'gaussian')).length;
    expect(gpu.traffic()).toMatchObject({ hostFedBytes: 0, liveTensors: params.length + gaussianTensors });
  });

  it('keeps the device copy equal to the host past the direction cap and at the periodic re-upload', async () => {
    const params = freshParams();
    const masters = params.map((p) => p.data);
    const paramBytes = masters.reduce((sum, m) => sum + m.byteLength, 0);
    // One parameter-sized set of directions fits on the device; re-upload every 2nd update.
    const gpu = open({ directionSets: 1, resyncEveryUpdates: 2 });
    const rule = gpu.mirrorUpdates(createUpdateRule('zo-sgd'));
    const expectDeviceEqualsHost = async () => {
      const fromDevice = await gpu.forward(batch, masters);
      expectSameLoss(fromDevice.loss, (await engine.forward(batch, masters)).loss);
    };

    const uploadedBy = async (step: number, samples: number): Promise<number> => {
      const before = gpu.traffic().uploadedBytes;
      const terms: EstimateTerm[] = [];
      for (let sample = 0; sample < samples; sample++) {
        const direction = params.map(() => [gaussian(100 + step, sample, 1)]);
        await gpu.forwardAt(batch, params, direction, 1e-2);
        terms.push(gaussian(100 + step, sample, 0.5 / samples));
      }
      rule.apply(params, { terms: params.map(() => terms) }, null, 0.1);
      await expectDeviceEqualsHost();
      return gpu.traffic().uploadedBytes - before;
    };
    const scalars = params.length * 4;

    // Update 1 (its first pass also uploads θ), two samples: sample 1's z no longer fits, so it lives
    // for its pass only and the update re-uploads θ instead of mirroring.
    expect(await uploadedBy(1, 2)).toBe(paramBytes + 2 * paramBytes + 2 * scalars + paramBytes);
    // Update 2, one sample, mirrored — but the 2nd update is the periodic re-upload.
    expect(await uploadedBy(2, 1)).toBe(paramBytes + scalars + paramBytes);
    // Update 3, one sample: mirrored (one scalar per tensor).
    expect(await uploadedBy(3, 1)).toBe(paramBytes + scalars + scalars);
    // After each of them, only θ and the directions awaiting nothing: the update ran, they are freed.
    expect(gpu.traffic().liveTensors).toBe(params.length);
  });

  it('says what it needs', () => {
    expect(() => new GpuTrainingParams({ ep: 'cpu' } as Engine)).toThrow(
      /needs a webgpu engine \(this one runs on cpu\)/,
    );
  });
});
