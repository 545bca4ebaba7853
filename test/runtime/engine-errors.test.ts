// Bad input to the engine fails early with a message naming the row/position/field or the allowed
// values, instead of an opaque error from inside ORT; and execution-provider selection explains itself.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../core/models/load.ts';
import type { LoadedModel } from '../../core/models/types.ts';
import { parseEpChoice, probeEp, resolveEp } from '../../core/runtime/backend.ts';
import { Engine, type Batch } from '../../core/runtime/engine.ts';
import { MODELS } from '../parity/reference-fixture.ts';

function batchOf(ids: number[], labels = ids, mask = ids.map(() => 1)): Batch {
  return {
    batch: 1,
    seqLen: ids.length,
    inputIds: BigInt64Array.from(ids, BigInt),
    attentionMask: BigInt64Array.from(mask, BigInt),
    labels: BigInt64Array.from(labels, BigInt),
  };
}

describe('engine input validation (stories260k, vocab 512, 512 positions)', () => {
  let model: LoadedModel;
  let engine: Engine;
  beforeAll(async () => {
    model = await loadModel(path.join(MODELS, 'stories260k'));
    engine = await Engine.create(model, {
      peft: { kind: 'lora', rank: 2, alpha: 4 },
      outputs: { candidateLogits: true },
    });
  });
  afterAll(async () => engine.dispose());

  const withCandidates = (b: Batch): Batch => ({
    ...b,
    candidates: 1,
    candidateIds: BigInt64Array.from([5n]),
  });

  it('names the row, position and allowed range of a bad label, id or mask value', async () => {
    const params = engine.initialParams();
    await expect(engine.forward(withCandidates(batchOf([1, 2, 3], [1, 2, 999])), params)).rejects.toThrow(
      'batch row 0 position 2: label is 999; expected 0..511 or -100',
    );
    await expect(engine.forward(withCandidates(batchOf([1, -4, 3])), params)).rejects.toThrow(
      'position 1: input id is -4; expected 0..511',
    );
    await expect(
      engine.forward(withCandidates(batchOf([1, 2, 3], [1, 2, 3], [1, 2, 1])), params),
    ).rejects.toThrow('position 1: attention mask is 2; expected 0 or 1');
  });

  it('rejects wrong parameter lists, missing candidates and over-long sequences', async () => {
    const params = engine.initialParams();
    await expect(engine.forward(withCandidates(batchOf([1, 2, 3])), params.slice(1))).rejects.toThrow(
      `got ${params.length - 1} parameter tensors, expected ${params.length}`,
    );
    const short = [new Float32Array(3), ...params.slice(1)];
    await expect(engine.forward(withCandidates(batchOf([1, 2, 3])), short)).rejects.toThrow(
      `"${engine.trainables[0]?.name}" has 3 values`,
    );
    await expect(engine.forward(batchOf([1, 2, 3]), params)).rejects.toThrow(
      'pass candidateIds and candidates',
    );
    const long = Array.from({ length: 513 }, () => 1);
    await expect(engine.forward(withCandidates(batchOf(long)), params)).rejects.toThrow(
      "seqLen 513 exceeds the model's 512 positions",
    );
  });

  it('lists the available modules for an unknown LoRA target', async () => {
    await expect(
      Engine.create(model, { peft: { kind: 'lora', rank: 2, alpha: 4, targets: ['qkv_proj'] } }),
    ).rejects.toThrow(
      'LoRA target "qkv_proj" matches no linear module; available: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj',
    );
  });
});

describe('execution providers', () => {
  it('parses choices and lists the valid ones on a typo', () => {
    expect(parseEpChoice('webgpu')).toBe('webgpu');
    expect(() => parseEpChoice('gpu')).toThrow(
      'unknown execution provider "gpu"; expected one of: auto, cpu, webgpu, cuda',
    );
  });

  it('cpu is always available; an unavailable provider is refused with its reason', async () => {
    expect(await probeEp('cpu')).toEqual({ ep: 'cpu', available: true });
    const cuda = await probeEp('cuda');
    if (cuda.available) await expect(resolveEp('cuda')).resolves.toEqual({ ep: 'cuda' });
    else
      await expect(resolveEp('cuda')).rejects.toThrow(
        `execution provider cuda is not available: ${cuda.reason}`,
      );
  });

  it('auto picks an available provider and says why it passed over faster ones', async () => {
    const { ep, note } = await resolveEp('auto');
    expect((await probeEp(ep)).available).toBe(true);
    if (ep !== 'cuda') expect(note).toMatch(/cuda: /);
  });
});
