// Chat SFT evaluation: perplexity counts assistant tokens only. A causal model's scores of earlier tokens
// cannot depend on later ones, so a trailing user turn (context, never a target) must leave the
// perplexity exactly unchanged, while changing an assistant reply must change it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEncoded, openSplit } from '../../core/data/dataset.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { evaluate } from '../../core/eval/evaluate.ts';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import { Engine } from '../../core/runtime/engine.ts';

const modelDir = path.resolve(import.meta.dirname, '../../../shared/fixtures/models/stories260k');
const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-chat-eval-'));
let engine: Engine;
let tokenizer: Tokenizer;

beforeAll(async () => {
  tokenizer = await loadTokenizer(modelDir);
  engine = await Engine.create(await loadModel(modelDir), { ep: 'cpu', peft: { kind: 'none' } });
});
afterAll(async () => {
  await engine?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const conversations = [
  ['Tell me a story.', 'Once upon a time, there was a little cat.'],
  ['What did Lily find?', 'Lily found a big red ball in the park.'],
  ['Who is Tim?', 'Tim is a happy boy who likes to play.'],
];

async function chatPerplexity(name: string, rows: object[]): Promise<number> {
  const file = path.join(dir, `${name}.jsonl`);
  writeFileSync(file, rows.map((row) => JSON.stringify(row)).join('\n'));
  const split = await openSplit(await resolveLocalSource(file), 'train', { tokenizer });
  expect(split.task.name).toBe('chat');
  const { encoded } = await loadEncoded(split, { tokenizer, maxLength: 256 });
  const result = await evaluate({
    engine,
    params: [],
    tokenizer,
    task: split.task,
    examples: encoded,
    maxLength: 256,
  });
  expect(result.metric).toBe('perplexity');
  return result.value;
}

describe('chat evaluation', () => {
  it('scores assistant turns only', async () => {
    const base = conversations.map(([user, assistant]) => ({
      messages: [
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ],
    }));
    const perplexity = await chatPerplexity('base', base);
    const withTrailingUser = base.map((row) => ({
      messages: [...row.messages, { role: 'user', content: 'And then what happened next, tell me more?' }],
    }));
    const otherReply = base.map((row) => ({
      messages: [row.messages[0], { role: 'assistant', content: 'Zebra quantum fjord.' }],
    }));
    console.log(`chat perplexity ${perplexity.toFixed(4)}`);
    expect(perplexity).toBeGreaterThan(1);
    expect(await chatPerplexity('trailing', withTrailingUser)).toBeCloseTo(perplexity, 5);
    expect(Math.abs((await chatPerplexity('other', otherReply)) - perplexity)).toBeGreaterThan(1);
  });
});
