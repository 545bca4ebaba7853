// Zero-shot evaluation on the WebGPU EP gives the CPU's numbers: candidate scoring (COPA), perplexity
// (TinyStories) and greedy decoding. Software Vulkan here (lavapipe), so only a few rows each.
// Skipped, with the reason, only where this machine has no WebGPU adapter.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import type { EncodedExample } from '../../core/data/encode.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import type { TaskDefinition } from '../../core/data/tasks/definition.ts';
import { evaluate } from '../../core/eval/evaluate.ts';
import { greedyGenerate } from '../../core/eval/generate.ts';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import { webgpu } from '../helpers/webgpu.ts';
import { Engine } from '../../core/runtime/engine.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const modelDir = path.join(fixtures, 'models/stories260k');

let tokenizer: Tokenizer;
const engines: Partial<Record<'cpu' | 'webgpu', Engine>> = {};

beforeAll(async () => {
  if (!webgpu.available) return;
  const model = await loadModel(modelDir);
  tokenizer = await loadTokenizer(modelDir);
  for (const ep of ['cpu', 'webgpu'] as const) {
    engines[ep] = await Engine.create(model, { ep, peft: { kind: 'none' }, outputs: { lastLogits: true } });
  }
});
afterAll(async () => {
  for (const engine of Object.values(engines)) await engine?.dispose();
});

async function examples(
  dataset: string,
  rows: number,
): Promise<{ task: TaskDefinition; encoded: EncodedExample[] }> {
  const split = await openSplit(
    await resolveLocalSource(path.join(fixtures, 'datasets', dataset)),
    'validation',
    { tokenizer },
  );
  return { task: split.task, ...(await loadEncoded(split, { tokenizer, maxLength: 256, limit: rows })) };
}

describe.skipIf(!webgpu.available)('zero-shot evaluation on WebGPU', () => {
  for (const [dataset, rows] of [
    ['copa', 8],
    ['tinystories', 4],
  ] as const) {
    it(`${dataset}: same metric and loss as on CPU`, async () => {
      const { task, encoded } = await examples(dataset, rows);
      const [cpu, gpu] = await Promise.all(
        (['cpu', 'webgpu'] as const).map(async (ep) => {
          const engine = engines[ep] as Engine;
          return evaluate({
            engine,
            params: engine.initialParams(),
            tokenizer,
            task,
            examples: encoded,
            maxLength: 256,
          });
        }),
      );
      console.log(
        `${dataset}: cpu ${cpu?.metric} ${cpu?.value} loss ${cpu?.loss}; webgpu ${gpu?.value} loss ${gpu?.loss}`,
      );
      expect(gpu?.loss).toBeCloseTo(cpu?.loss ?? NaN, 4);
      expect(gpu?.value).toBeCloseTo(cpu?.value ?? NaN, 3);
    });
  }

  it('greedy decoding picks the same tokens', async () => {
    const prompt = tokenizer.encode('Once upon a time');
    // Every new length is a new shape for WebGPU kernels (slow to compile on lavapipe): 3 tokens.
    const options = { maxNewTokens: 3, eosId: tokenizer.eosId, padId: tokenizer.padId, maxLength: 256 };
    const cpu = await greedyGenerate(engines.cpu as Engine, [], [prompt], options);
    const gpu = await greedyGenerate(engines.webgpu as Engine, [], [prompt], options);
    expect(gpu.ids).toEqual(cpu.ids);
  });
});
