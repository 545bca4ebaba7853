// Trainables resident on the WebGPU device: a forward pass fed from the GpuParamStore equals one fed
// CPU arrays; device-side changes (θ + s·X with X on the host or the device, θ + s·U·Vᵀ over any
// rows×cols view) equal the same arithmetic in JS; perturbed temporaries feed a pass without touching θ;
// replaced and released device tensors are disposed, and the store's counters say so. Skipped, with the
// reason, where this machine has no WebGPU adapter.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { Engine } from '../../core/runtime/engine.ts';
import type { Tensor } from '../../core/runtime/backend.ts';
import { GpuParamStore } from '../../core/runtime/gpu-param-store.ts';
import { MODELS, promptsBatch, readReference } from '../parity/reference-fixture.ts';

function wave(count: number, phase: number, scale: number): Float32Array {
  return Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + phase) * scale);
}

/** w + scale·(u·vᵀ) laid over w's row-major entries, u rows×rank, v cols×rank. */
function plusLowRank(
  w: Float32Array,
  u: Float32Array,
  v: Float32Array,
  cols: number,
  rank: number,
  scale: number,
) {
  return Float32Array.from(w, (x, i) => {
    const [r, c] = [Math.floor(i / cols), i % cols];
    let s = 0;
    for (let k = 0; k < rank; k++) s += (u[r * rank + k] as number) * (v[c * rank + k] as number);
    return x + scale * s;
  });
}

function expectClose(got: Float32Array, expected: Float32Array, tolerance: number): void {
  expect(got.length).toBe(expected.length);
  let worst = 0;
  expected.forEach((x, i) => (worst = Math.max(worst, Math.abs((got[i] as number) - x))));
  expect(worst).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!webgpu.available)('GpuParamStore on webgpu (stories260k, LoRA r2)', () => {
  let engine: Engine;
  let store: GpuParamStore;
  let params: Float32Array[];
  const { batch } = promptsBatch(readReference('stories260k'));
  // lora_B of layer 0 q_proj [64, 2]; lora_A of layer 0 v_proj [2, 64]; lora_A of layer 1 q_proj.
  const [bIndex, aIndex, cIndex] = [1, 2, 4];

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
    expect(store.liveTensors).toBe(0);
    await engine.dispose();
  });

  it('feeds device tensors with the same result as CPU arrays, and counts the upload', async () => {
    const bytes = params.reduce((sum, p) => sum + p.byteLength, 0);
    expect(store.uploadedBytes).toBe(bytes);
    expect(store.liveTensors).toBe(params.length);
    const fromCpu = await engine.forward(batch, params);
    const fromDevice = await engine.forward(batch, store);
    fromCpu.loss.forEach((l, b) => expect(fromDevice.loss[b]).toBeCloseTo(l, 5));
  });

  it('perturbs out of place: a view feeds θ + s·d, θ itself is unchanged, the temporary is released', async () => {
    const live = store.liveTensors;
    const [rows, cols] = engine.trainables[bIndex]?.shape as [number, number];
    const z = wave(rows * cols, 4, 1);
    const [device] = (await store.uploadLike([{ index: bIndex, values: z }])) as [Tensor];
    const [perturbed] = (await store.perturbed(
      [{ index: bIndex, terms: [{ kind: 'scaled', values: device, coef: 0.5 }] }],
      0.2,
    )) as [Tensor];
    expect(store.liveTensors).toBe(live + 2);
    const expected = Float32Array.from(params[bIndex] as Float32Array, (w, i) => w + 0.1 * (z[i] as number));
    const fromCpu = await engine.forward(
      batch,
      params.map((p, i) => (i === bIndex ? expected : p)),
    );
    const fromView = await engine.forward(batch, store.view(new Map([[bIndex, perturbed]])));
    fromCpu.loss.forEach((l, b) => expect(fromView.loss[b]).toBeCloseTo(l, 5));
    store.release(perturbed);
    store.release(device);
    expect(perturbed.location).toBe('none');
    expect(store.liveTensors).toBe(live);
    expectClose(await store.read(bIndex), params[bIndex] as Float32Array, 0);
  });

  it('updates on the device exactly as the same update in JS, and disposes what it replaces', async () => {
    const live = store.liveTensors;
    const [rows, cols] = engine.trainables[bIndex]?.shape as [number, number];
    const rank = 3;
    const [u, v, scale] = [wave(rows * rank, 1, 0.1), wave(cols * rank, 2, 0.1), -0.7];
    const replaced = store.feeds[bIndex];
    await store.apply([{ index: bIndex, terms: [{ kind: 'low-rank', rows, cols, rank, u, v }] }], scale);
    expect(replaced?.location).toBe('none');

    // Two tensors in one run. Tensor a: a host delta, a device delta and a low-rank term over a
    // reshaped view of its [2, 64] (SubZero's PEFT reshape): 8×16, summed in one graph. Tensor c: a
    // host delta alone.
    const a = params[aIndex] as Float32Array;
    const c = params[cIndex] as Float32Array;
    const [hostDelta, deviceValues, cDelta] = [
      wave(a.length, 3, 0.02),
      wave(a.length, 5, 0.03),
      wave(c.length, 8, 0.1),
    ];
    const [deviceDelta] = (await store.uploadLike([{ index: aIndex, values: deviceValues }])) as [Tensor];
    const [u2, v2] = [wave(8 * 2, 6, 0.1), wave(16 * 2, 7, 0.1)];
    const before = store.uploadedBytes;
    await store.apply(
      [
        {
          index: aIndex,
          terms: [
            { kind: 'scaled', values: hostDelta, coef: 2 },
            { kind: 'scaled', values: deviceDelta, coef: -1 },
            { kind: 'low-rank', rows: 8, cols: 16, rank: 2, u: u2, v: v2 },
          ],
        },
        { index: cIndex, terms: [{ kind: 'scaled', values: cDelta, coef: 1 }] },
      ],
      1.25,
    );
    // The host deltas, U and V, and four scalars crossed; the device delta did not.
    expect(store.uploadedBytes - before).toBe(
      hostDelta.byteLength + cDelta.byteLength + u2.byteLength + v2.byteLength + 4 * 4,
    );
    store.release(deviceDelta);
    expect(store.liveTensors).toBe(live);

    const expectedB = plusLowRank(params[bIndex] as Float32Array, u, v, cols, rank, scale);
    const summed = Float32Array.from(
      a,
      (w, i) => w + 1.25 * (2 * (hostDelta[i] as number) - (deviceValues[i] as number)),
    );
    const expectedA = plusLowRank(summed, u2, v2, 16, 2, 1.25);
    const expectedC = Float32Array.from(c, (w, i) => w + 1.25 * (cDelta[i] as number));
    expectClose(await store.read(bIndex), expectedB, 1e-6);
    expectClose(await store.read(aIndex), expectedA, 1e-6);
    expectClose(await store.read(cIndex), expectedC, 1e-6);

    const expected = new Map([
      [bIndex, expectedB],
      [aIndex, expectedA],
      [cIndex, expectedC],
    ]);
    const updated = params.map((p, i) => expected.get(i) ?? p);
    const fromCpu = await engine.forward(batch, updated);
    const fromDevice = await engine.forward(batch, store);
    fromCpu.loss.forEach((l, b) => expect(fromDevice.loss[b]).toBeCloseTo(l, 5));
  });

  it('names the tensor when a change does not fit it', async () => {
    await expect(
      store.apply(
        [
          {
            index: aIndex,
            terms: [{ kind: 'low-rank', rows: 3, cols: 40, rank: 1, u: wave(3, 0, 1), v: wave(40, 0, 1) }],
          },
        ],
        1,
      ),
    ).rejects.toThrow(/low-rank factors 3×40 at rank 1 .* tensor 2 \[2,64\]/);
    await expect(store.set([{ index: aIndex, values: new Float32Array(5) }])).rejects.toThrow(
      /tensor 2 has 5 values, expected 128/,
    );
  });
});
