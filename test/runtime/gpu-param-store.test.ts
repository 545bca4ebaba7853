// Trainables resident on the WebGPU device: a forward pass fed from the GpuParamStore equals one fed
// CPU arrays; device-side updates (θ + s·D, θ + s·U·Vᵀ) equal the same updates done in JS; replaced
// device tensors are disposed. Skipped, with the reason, where this machine has no WebGPU adapter.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { Engine } from '../../core/runtime/engine.ts';
import { GpuParamStore } from '../../core/runtime/gpu-param-store.ts';
import { MODELS, promptsBatch, readReference } from '../parity/reference-fixture.ts';

function wave(count: number, phase: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + phase) * scale);
}

describe.skipIf(!webgpu.available)('GpuParamStore on webgpu (stories260k, LoRA r2)', () => {
  let engine: Engine;
  let store: GpuParamStore;
  let params: Float32Array[];
  const { batch } = promptsBatch(readReference('stories260k'));

  beforeAll(async () => {
    const model = await loadModel(path.join(MODELS, 'stories260k'));
    engine = await Engine.create(model, {
      ep: 'webgpu',
      peft: { kind: 'lora', rank: 2, alpha: 4, targets: ['q_proj', 'v_proj'] },
    });
    // Non-zero B so every adapter matters.
    params = engine
      .initialParams()
      .map((p, i) => (engine.trainables[i]?.role === 'lora_B' ? wave(p.length, i, 0.05) : p));
    store = await GpuParamStore.create(
      engine.trainables.map((t) => t.shape),
      params,
    );
  });
  afterAll(async () => {
    await store.dispose();
    await engine.dispose();
  });

  it('feeds device tensors with the same result as CPU arrays', async () => {
    const fromCpu = await engine.forward(batch, params);
    const fromDevice = await engine.forward(batch, store);
    fromCpu.loss.forEach((l, b) => expect(fromDevice.loss[b]).toBeCloseTo(l, 5));
  });

  it('updates on the device exactly as the same update in JS, and disposes what it replaces', async () => {
    const [bIndex, aIndex] = [1, 2]; // lora_B of layer 0 q_proj [64, 2]; lora_A of layer 0 v_proj [2, 64]
    const [rows, cols] = engine.trainables[bIndex]?.shape as [number, number];
    const rank = 3;
    const [u, v, scale] = [wave(rows * rank, 1, 0.1), wave(cols * rank, 2, 0.1), -0.7];
    const replaced = store.feeds[bIndex];
    await store.addLowRank(bIndex, u, v, rank, scale);
    expect(replaced?.location).toBe('none');
    const delta = wave(params[aIndex]?.length ?? 0, 3, 0.02);
    await store.addScaled(aIndex, delta, 2.5);

    const expectedB = Float32Array.from(params[bIndex] as Float32Array, (w, i) => {
      const [r, c] = [Math.floor(i / cols), i % cols];
      let s = 0;
      for (let k = 0; k < rank; k++) s += (u[r * rank + k] as number) * (v[c * rank + k] as number);
      return w + scale * s;
    });
    const expectedA = Float32Array.from(
      params[aIndex] as Float32Array,
      (w, i) => w + 2.5 * (delta[i] as number),
    );
    const [gotB, gotA] = [await store.read(bIndex), await store.read(aIndex)];
    expectedB.forEach((x, i) => expect(Math.abs((gotB[i] as number) - x)).toBeLessThan(1e-6));
    expectedA.forEach((x, i) => expect(Math.abs((gotA[i] as number) - x)).toBeLessThan(1e-6));

    const updated = params.map((p, i) => (i === bIndex ? expectedB : i === aIndex ? expectedA : p));
    const fromCpu = await engine.forward(batch, updated);
    const fromDevice = await engine.forward(batch, store);
    fromCpu.loss.forEach((l, b) => expect(fromDevice.loss[b]).toBeCloseTo(l, 5));
  });
});
