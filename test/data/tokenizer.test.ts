import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../core/models/tokenizer.ts';

const models = path.resolve(import.meta.dirname, '../../../shared/fixtures/models');

interface Reference {
  prompts: { text: string; ids: number[]; tokens: string[] }[];
  batches?: { pad_id: number };
}

const fixtures = [
  'stories260k',
  'tiny-random-gpt2',
  'tiny-random-llama',
  'tiny-random-opt',
  'tiny-random-qwen2',
];

describe('loadTokenizer', () => {
  for (const name of fixtures) {
    it(`${name}: encodes every reference prompt to its reference ids and decodes back`, async () => {
      const dir = path.join(models, name);
      const reference = JSON.parse(readFileSync(path.join(dir, 'reference.json'), 'utf8')) as Reference;
      const tokenizer = await loadTokenizer(dir);
      for (const prompt of reference.prompts) {
        expect(tokenizer.encode(prompt.text)).toEqual(prompt.ids);
        expect(prompt.ids.map((id) => tokenizer.idToToken(id))).toEqual(prompt.tokens);
        expect(tokenizer.decode(prompt.ids, { skipSpecialTokens: true })).toBe(prompt.text);
      }
      if (reference.batches) expect(tokenizer.padId).toBe(reference.batches.pad_id);
    });
  }

  it('stories260k: "Once upon a time" → [1, 403, 407, 261, 378], BOS 1, EOS 2, pad falls back to EOS', async () => {
    const tokenizer = await loadTokenizer(path.join(models, 'stories260k'));
    expect(tokenizer.encode('Once upon a time')).toEqual([1, 403, 407, 261, 378]);
    expect(tokenizer.encode('Once upon a time', { addSpecialTokens: false })).toEqual([403, 407, 261, 378]);
    expect([tokenizer.bosId, tokenizer.eosId, tokenizer.padId]).toEqual([1, 2, 2]);
    expect(tokenizer.vocabSize).toBe(512);
    expect(tokenizer.chatTemplate).toBeUndefined();
  });

  it('qwen2: no BOS, explicit pad, chat template exposed', async () => {
    const tokenizer = await loadTokenizer(path.join(models, 'tiny-random-qwen2'));
    expect(tokenizer.bosId).toBeUndefined();
    expect(tokenizer.padId).toBe(493);
    expect(tokenizer.chatTemplate).toContain('<|im_start|>');
  });

  it('encodeContinuation tokenizes prefix and continuation together', async () => {
    for (const name of ['stories260k', 'tiny-random-gpt2', 'tiny-random-opt']) {
      const tokenizer = await loadTokenizer(path.join(models, name));
      const { prefixIds, continuationIds } = tokenizer.encodeContinuation('It was', ' terrible');
      expect([...prefixIds, ...continuationIds]).toEqual(tokenizer.encode('It was terrible'));
      expect(prefixIds).toEqual(tokenizer.encode('It was'));
      expect(tokenizer.decode(continuationIds, { skipSpecialTokens: true }).trim()).toBe('terrible');
    }
  });

  it('names the folder when tokenizer.json is missing', async () => {
    await expect(loadTokenizer('/nonexistent/model')).rejects.toThrow('/nonexistent/model/tokenizer.json');
  });
});
