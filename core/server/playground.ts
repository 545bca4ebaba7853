// Playground: the run's base model and its tuned model (the newest checkpoint's trainable tensors)
// greedy-decode the same prompt. Two CPU engines, built per request and disposed after: the
// playground is occasional, and a cached engine would pin the model's memory for nothing.
import { ApiError } from '../api/errors.ts';
import type { Response } from '../api/methods.ts';
import { greedyGenerate } from '../eval/generate.ts';
import { loadModel } from '../models/load.ts';
import { loadTokenizer, type Tokenizer } from '../models/tokenizer.ts';
import { Engine } from '../runtime/engine.ts';
import type { RunStore } from '../store/run-store.ts';
import { loadCheckpointWithFallback } from '../train/checkpoint.ts';
import { parseRunConfig } from '../train/config.ts';
import { peftPlanConfig } from '../train/peft-settings.ts';

type Generation = Response<'playground.generate'>['base'];

async function generate(
  engine: Engine,
  params: readonly Float32Array[],
  tokenizer: Tokenizer,
  promptIds: number[],
  maxNewTokens: number,
  maxLength: number,
): Promise<Generation> {
  const started = performance.now();
  const { ids } = await greedyGenerate(engine, params, [promptIds], {
    maxNewTokens,
    eosId: tokenizer.eosId,
    padId: tokenizer.padId,
    maxLength,
  });
  const generated = ids[0] ?? [];
  return {
    text: tokenizer.decode(generated),
    tokens: generated.length,
    elapsedMs: performance.now() - started,
  };
}

export async function generateBaseAndTuned(
  store: RunStore,
  request: { runId: string; prompt: string; maxNewTokens: number },
): Promise<Response<'playground.generate'>> {
  const run = store.getRun(request.runId);
  if (!run) throw new ApiError('not_found', `no run with id ${request.runId}`);
  const latest = store.latestCheckpoint(request.runId);
  if (!latest)
    throw new ApiError('conflict', `run ${run.name} has no checkpoint yet; let it train a few steps first`);
  const config = parseRunConfig(run.config, `run ${request.runId} config`);
  const { checkpoint } = loadCheckpointWithFallback(latest.path);
  const [model, tokenizer] = await Promise.all([loadModel(config.model), loadTokenizer(config.model)]);
  const promptIds = tokenizer.encode(request.prompt);
  const maxLength = Math.min(model.config.maxPositions, promptIds.length + request.maxNewTokens + 1);

  const outputs = { lastLogits: true };
  const base = await Engine.create(model, { outputs });
  const tuned = await Engine.create(model, { outputs, peft: peftPlanConfig(config) });
  try {
    const byName = new Map(checkpoint.params.map((param) => [param.name, param.data]));
    const tunedParams = tuned.trainables.map((trainable) => {
      const values = byName.get(trainable.name);
      if (!values)
        throw new ApiError('internal', `checkpoint of run ${request.runId} lacks tensor ${trainable.name}`);
      return values;
    });
    return {
      base: await generate(base, base.initialParams(), tokenizer, promptIds, request.maxNewTokens, maxLength),
      tuned: await generate(tuned, tunedParams, tokenizer, promptIds, request.maxNewTokens, maxLength),
    };
  } finally {
    await Promise.all([base.dispose(), tuned.dispose()]);
  }
}
