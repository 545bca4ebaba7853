import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../core/models/errors.ts';
import { loadModel } from '../../core/models/load.ts';
import { writeSafetensors } from '../../core/models/safetensors/write.ts';
import type { Family, LoadedModel } from '../../core/models/types.ts';
import {
  copyConfig,
  copyModel,
  FIXTURE_MODELS,
  fixtureTensors,
  MODELS_DIR,
  rewriteModel,
  tempDir,
} from './checkpoint-files.ts';

async function loadError(dir: string): Promise<ModelLoadError> {
  const error: unknown = await loadModel(dir).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

/** Every tensor of the layout read back equals the same tensor read from the original fixture. */
function expectSameWeights(model: LoadedModel, reference: LoadedModel): void {
  const roles = [
    ...Object.entries(model.layout.global),
    ...model.layout.layers.flatMap((layer, i) =>
      Object.entries(layer).map(([role, ref]) => [`${i}.${role}`, ref]),
    ),
  ] as [string, { key: string }][];
  const referenceRoles = new Map([
    ...Object.entries(reference.layout.global),
    ...reference.layout.layers.flatMap((layer, i) =>
      Object.entries(layer).map(([role, ref]) => [`${i}.${role}`, ref] as const),
    ),
  ]);
  expect(roles.length).toBe(referenceRoles.size);
  for (const [role, ref] of roles) {
    const referenceKey = referenceRoles.get(role)?.key ?? '';
    expect(model.weights.readFloat32(ref.key), role).toEqual(reference.weights.readFloat32(referenceKey));
  }
}

describe('loadModel on the fixtures', () => {
  // Expected values come from each fixture's README (architecture table and tensor counts).
  const expected: Record<(typeof FIXTURE_MODELS)[number], [Family, number, number, number, number, string]> =
    {
      stories260k: ['llama', 260_032, 5, 64, 512, 'float32'],
      'tiny-random-gpt2': ['gpt2', 133_888, 2, 64, 400, 'float32'],
      'tiny-random-llama': ['llama', 158_016, 2, 64, 512, 'float32'],
      'tiny-random-opt': ['opt', 133_440, 3, 64, 384, 'float16'],
      'tiny-random-qwen2': ['llama', 119_360, 2, 64, 512, 'bfloat16'],
    };

  it.each(FIXTURE_MODELS)('%s: family, size and dtype', async (name) => {
    const model = await loadModel(path.join(MODELS_DIR, name));
    const [family, parameters, layers, hidden, vocab, dtype] = expected[name];
    expect(model.config).toMatchObject({ family, layers, hidden, vocab, dtype });
    expect(model.parameters).toBe(parameters);
    expect(model.layout.layers).toHaveLength(layers);
    // Every layout entry resolves to a stored tensor of the declared shape.
    for (const ref of [
      ...Object.values(model.layout.global),
      ...model.layout.layers.flatMap(Object.values),
    ]) {
      expect(model.weights.tensors.get(ref.key)?.shape).toEqual(ref.shape);
    }
  });

  it('maps the stories260k config (GQA, tied head, RoPE)', async () => {
    const { config, layout } = await loadModel(path.join(MODELS_DIR, 'stories260k'));
    expect(config).toMatchObject({
      modelType: 'llama',
      heads: 8,
      kvHeads: 4,
      headDim: 8,
      intermediate: 172,
      maxPositions: 512,
      normEps: 1e-5,
      ropeTheta: 10000,
      tiedEmbeddings: true,
      activation: 'silu',
      attentionBias: false,
      bosTokenId: 1,
      eosTokenId: 2,
    });
    expect(config.raw.model_type).toBe('llama');
    // The file also stores lm_head.weight (a copy); a tied model reads its head from the embedding.
    expect(layout.global.lmHead?.key).toBe('model.embed_tokens.weight');
    expect(layout.layers[0]?.k).toEqual({ key: 'model.layers.0.self_attn.k_proj.weight', shape: [32, 64] });
  });

  it('maps the untied Llama 3 style fixture to its own lm_head', async () => {
    const { config, layout } = await loadModel(path.join(MODELS_DIR, 'tiny-random-llama'));
    expect(config).toMatchObject({ ropeTheta: 500000, tiedEmbeddings: false, kvHeads: 2, headDim: 16 });
    expect(layout.global.lmHead).toEqual({ key: 'lm_head.weight', shape: [512, 64] });
  });

  it('maps qwen2 to the llama family with q/k/v biases', async () => {
    const { config, layout } = await loadModel(path.join(MODELS_DIR, 'tiny-random-qwen2'));
    expect(config).toMatchObject({ family: 'llama', modelType: 'qwen2', attentionBias: true, normEps: 1e-6 });
    expect(layout.layers[1]?.kBias).toEqual({ key: 'model.layers.1.self_attn.k_proj.bias', shape: [32] });
    expect(layout.layers[1]?.oBias).toBeUndefined();
  });

  it('maps gpt2 without the transformer. prefix, Conv1D shapes [in, out], ignoring attn.bias buffers', async () => {
    const { config, layout, weights } = await loadModel(path.join(MODELS_DIR, 'tiny-random-gpt2'));
    expect(config).toMatchObject({
      intermediate: 256,
      maxPositions: 128,
      positionOffset: 0,
      tiedEmbeddings: true,
    });
    expect(layout.layers[0]?.qkv).toEqual({ key: 'h.0.attn.c_attn.weight', shape: [64, 192] });
    expect(layout.layers[0]?.up).toEqual({ key: 'h.0.mlp.c_fc.weight', shape: [64, 256] });
    expect(layout.global.lmHead?.key).toBe('wte.weight');
    expect(weights.tensors.has('h.0.attn.bias')).toBe(true);
  });

  it('maps opt: positions offset by 2, float16 read as float32', async () => {
    const model = await loadModel(path.join(MODELS_DIR, 'tiny-random-opt'));
    expect(model.config).toMatchObject({
      positionOffset: 2,
      activation: 'relu',
      padTokenId: 1,
      intermediate: 128,
    });
    expect(model.layout.global.positions).toEqual({
      key: 'model.decoder.embed_positions.weight',
      shape: [130, 64],
    });
    const raw = model.weights.readRaw('model.decoder.final_layer_norm.weight');
    const halves = new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2);
    const decoded = model.weights.readFloat32('model.decoder.final_layer_norm.weight');
    expect(Array.from(decoded)).toEqual(
      Array.from(new Float16Array(halves.buffer, halves.byteOffset, halves.length)),
    );
  });
});

describe('loadModel key layouts', () => {
  it('accepts the explicit default rope_scaling newer transformers versions write', async () => {
    const dir = copyModel('stories260k');
    copyConfig('stories260k', (c) => (c.rope_scaling = { rope_type: 'default' }), dir);
    expect((await loadModel(dir)).config.ropeTheta).toBe(10000);
  });

  it('maps mistral to the llama family and keeps its sliding window', async () => {
    const dir = copyModel('tiny-random-llama');
    copyConfig('tiny-random-llama', (c) => ((c.model_type = 'mistral'), (c.sliding_window = 4096)), dir);
    const { config } = await loadModel(dir);
    expect(config).toMatchObject({
      family: 'llama',
      modelType: 'mistral',
      slidingWindow: 4096,
      attentionBias: false,
    });
    expect(
      (await loadModel(path.join(MODELS_DIR, 'tiny-random-llama'))).config.slidingWindow,
    ).toBeUndefined();
  });

  it('accepts gpt2 with the transformer. prefix (what save_pretrained writes)', async () => {
    const dir = rewriteModel('tiny-random-gpt2', (tensors) =>
      tensors.map((t) => ({ ...t, name: `transformer.${t.name}` })),
    );
    const model = await loadModel(dir);
    expect(model.layout.global.embed?.key).toBe('transformer.wte.weight');
    expectSameWeights(model, await loadModel(path.join(MODELS_DIR, 'tiny-random-gpt2')));
  });

  it('accepts opt saved from OPTModel (decoder. without model.)', async () => {
    const dir = rewriteModel('tiny-random-opt', (tensors) =>
      tensors.map((t) => ({ ...t, name: t.name.replace(/^model\./, '') })),
    );
    const model = await loadModel(dir);
    expect(model.layout.global.finalNorm?.key).toBe('decoder.final_layer_norm.weight');
    expect(model.parameters).toBe(133_440);
  });

  it('loads a sharded checkpoint through model.safetensors.index.json', async () => {
    const dir = copyConfig('stories260k');
    const tensors = fixtureTensors('stories260k');
    const shards = [tensors.slice(0, 20), tensors.slice(20)];
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(path.join(dir, file), shard);
      for (const tensor of shard) weightMap[tensor.name] = file;
    });
    writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const model = await loadModel(dir);
    expect(model.parameters).toBe(260_032);
    expect(new Set([...model.weights.tensors.values()].map((t) => path.basename(t.file))).size).toBe(2);
    expectSameWeights(model, await loadModel(path.join(MODELS_DIR, 'stories260k')));
  });
});

describe('loadModel bad input', () => {
  it('missing folder', async () => {
    const error = await loadError(path.join(tempDir(), 'nope'));
    expect(error.message).toMatch(/nope: is not a folder/);
  });

  it('missing config.json', async () => {
    const dir = tempDir();
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, 'config.json'));
    expect(error.message).toMatch(/config.json: missing/);
  });

  it('config.json that is not JSON', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'config.json'), '{"model_type": ');
    expect((await loadError(dir)).message).toMatch(/config.json: is not valid JSON/);
  });

  it('missing weights (with a hint for PyTorch .bin files)', async () => {
    const dir = copyConfig('stories260k');
    expect((await loadError(dir)).message).toMatch(
      /no model.safetensors or model.safetensors.index.json found\.$/,
    );
    writeFileSync(path.join(dir, 'pytorch_model.bin'), '');
    expect((await loadError(dir)).message).toMatch(/PyTorch .bin checkpoints are not supported/);
  });

  it('unsupported model_type lists the supported ones', async () => {
    const dir = copyConfig('stories260k', (config) => {
      config.model_type = 'falcon';
    });
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, 'config.json'));
    expect(error.message).toMatch(
      /model_type "falcon" is not supported; supported: llama, mistral, qwen2, gpt2, opt/,
    );
  });

  it('config fields of the wrong type name the field', async () => {
    const dir = copyConfig('stories260k', (config) => {
      config.hidden_size = '64';
    });
    expect((await loadError(dir)).message).toMatch(
      /field "hidden_size" is "64"; expected a positive integer/,
    );
  });

  it.each<[string, string, (config: Record<string, unknown>) => void, RegExp]>([
    [
      'opt',
      'tiny-random-opt',
      (c) => (c.word_embed_proj_dim = 32),
      /word_embed_proj_dim 32 differs from hidden_size 64/,
    ],
    [
      'opt',
      'tiny-random-opt',
      (c) => (c.do_layer_norm_before = false),
      /"do_layer_norm_before" is false; supported: true/,
    ],
    [
      'llama',
      'stories260k',
      (c) => (c.rope_scaling = { rope_type: 'llama3' }),
      /"rope_scaling" .* supported: null/,
    ],
    ['qwen2', 'tiny-random-qwen2', (c) => (c.use_sliding_window = true), /"use_sliding_window" is true/],
    [
      'llama',
      'stories260k',
      (c) => (c.num_key_value_heads = 3),
      /num_attention_heads 8 is not a multiple of .* 3/,
    ],
    [
      'llama',
      'tiny-random-llama',
      (c) => ((c.num_attention_heads = 6), (c.num_key_value_heads = 3), delete c.head_dim),
      /not divisible by/,
    ],
    ['gpt2', 'tiny-random-gpt2', (c) => (c.activation_function = 'relu'), /"activation_function" is "relu"/],
  ])('%s: refuses a configuration it would compute wrong (%#)', async (_family, model, edit, pattern) => {
    const dir = copyConfig(model, edit);
    expect((await loadError(dir)).message).toMatch(pattern);
  });

  it('stored weights the config does not account for are an error, not silently dropped', async () => {
    // qwen2 weights under a llama config without attention_bias: the q/k/v biases would be ignored.
    const dir = copyModel('tiny-random-qwen2');
    copyConfig('tiny-random-qwen2', (c) => (c.model_type = 'llama'), dir);
    expect((await loadError(dir)).message).toMatch(
      /tensors a llama model with this config.json does not use: model.layers.0.self_attn.[qkv]_proj.bias, .* \(6 in all\)/,
    );
  });

  it('missing tensor names the tensor', async () => {
    const dir = rewriteModel('stories260k', (tensors) =>
      tensors.filter((t) => t.name !== 'model.layers.3.mlp.up_proj.weight'),
    );
    expect((await loadError(dir)).message).toMatch(
      /required tensor "model.layers.3.mlp.up_proj.weight" is missing/,
    );
  });

  it('a missing lm_head in an untied model is reported', async () => {
    const dir = rewriteModel('tiny-random-llama', (tensors) =>
      tensors.filter((t) => t.name !== 'lm_head.weight'),
    );
    expect((await loadError(dir)).message).toMatch(/required tensor "lm_head.weight" is missing/);
  });

  it('wrong shape gives expected vs actual', async () => {
    const dir = rewriteModel('tiny-random-qwen2', (tensors) =>
      tensors.map((t) =>
        t.name === 'model.layers.0.self_attn.k_proj.weight' ? { ...t, shape: [64, 32] } : t,
      ),
    );
    const error = await loadError(dir);
    expect(error.file).toBe(path.join(dir, 'model.safetensors'));
    expect(error.message).toMatch(
      /tensor "model.layers.0.self_attn.k_proj.weight" has shape \[64, 32\]; config.json implies \[32, 64\]/,
    );
  });

  it('a checkpoint of another architecture reports the missing embedding', async () => {
    const dir = copyConfig('tiny-random-gpt2');
    writeFileSync(
      path.join(dir, 'model.safetensors'),
      readFileSync(path.join(MODELS_DIR, 'stories260k', 'model.safetensors')),
    );
    expect((await loadError(dir)).message).toMatch(
      /no embedding tensor found for a gpt2 checkpoint \(looked for: transformer.wte.weight, wte.weight\)/,
    );
  });

  it('a truncated model.safetensors names the file and the tensor', async () => {
    const dir = copyModel('stories260k');
    const file = path.join(dir, 'model.safetensors');
    writeFileSync(file, readFileSync(file).subarray(0, 600_000));
    const error = await loadError(dir);
    expect(error.file).toBe(file);
    expect(error.message).toMatch(/tensor ".*": data_offsets .* fall outside the data section/);
  });

  describe('sharded index', () => {
    function shardedDir(): string {
      const dir = copyConfig('stories260k');
      const tensors = fixtureTensors('stories260k');
      writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), tensors.slice(0, 10));
      writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), tensors.slice(10));
      const weightMap = Object.fromEntries(
        tensors.map((t, i) => [t.name, `model-0000${i < 10 ? 1 : 2}-of-00002.safetensors`]),
      );
      writeFileSync(
        path.join(dir, 'model.safetensors.index.json'),
        JSON.stringify({ weight_map: weightMap }),
      );
      return dir;
    }

    it('a missing shard is named', async () => {
      const dir = shardedDir();
      rmSync(path.join(dir, 'model-00002-of-00002.safetensors'));
      const error = await loadError(dir);
      expect(error.file).toBe(path.join(dir, 'model.safetensors.index.json'));
      expect(error.message).toMatch(/lists shard "model-00002-of-00002.safetensors", which is missing/);
    });

    it('an index pointing a tensor at the wrong shard is caught', async () => {
      const dir = shardedDir();
      const indexPath = path.join(dir, 'model.safetensors.index.json');
      const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { weight_map: Record<string, string> };
      index.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
      writeFileSync(indexPath, JSON.stringify(index));
      expect((await loadError(dir)).message).toMatch(
        /says tensor "model.norm.weight" is in "model-00001-of-00002.safetensors", but that shard does not hold it/,
      );
    });

    it('shard paths may not leave the model folder', async () => {
      const dir = shardedDir();
      writeFileSync(
        path.join(dir, 'model.safetensors.index.json'),
        JSON.stringify({ weight_map: { w: '../x.safetensors' } }),
      );
      expect((await loadError(dir)).message).toMatch(
        /weight_map\["w"\] is "..\/x.safetensors"; expected a .safetensors file name/,
      );
    });

    it('an index without weight_map is rejected', async () => {
      const dir = shardedDir();
      writeFileSync(path.join(dir, 'model.safetensors.index.json'), '{"metadata": {}}');
      expect((await loadError(dir)).message).toMatch(/has no "weight_map" object/);
    });
  });
});
