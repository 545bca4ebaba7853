// Chat SFT: conversations are rendered with the model's own chat template (@huggingface/jinja) and only
// the assistant turns are targets.
import { describe, expect, it } from 'vitest';
import { encodeExample, type EncodedSequence } from '../../core/data/encode.ts';
import { createRowMapper, detectMapping } from '../../core/data/mapping.ts';
import { createRenderer, type RenderedExample } from '../../core/data/render.ts';
import { resolveTask } from '../../core/data/tasks/registry.ts';
import { loadTokenizer, type Tokenizer } from '../../core/models/tokenizer.ts';
import path from 'node:path';
import { modelsDir, stories260k } from './helpers/paths.ts';

async function renderChat(tokenizer: Tokenizer, row: Record<string, unknown>): Promise<RenderedExample> {
  const task = await resolveTask('chat');
  const { mapping } = detectMapping(task, Object.keys(row));
  const mapRow = createRowMapper({ file: 'chat.jsonl', task, mapping });
  const special = { eos_token: tokenizer.idToToken(tokenizer.eosId ?? -1) ?? '' };
  return createRenderer(task, {
    file: 'chat.jsonl',
    ...(tokenizer.chatTemplate ? { chatTemplate: tokenizer.chatTemplate } : {}),
    specialTokens: special,
  })(mapRow({ row, line: 1 }));
}

const targetText = (tokenizer: Tokenizer, sequence: EncodedSequence) =>
  tokenizer.decode(sequence.ids.filter((_, t) => sequence.isTarget[t] === 1));

const conversation = {
  messages: [
    { role: 'user', content: 'Say hi.' },
    { role: 'assistant', content: 'Hi!' },
    { role: 'user', content: 'Again.' },
    { role: 'assistant', content: 'Hi again!' },
  ],
};

describe('chat SFT', () => {
  it("qwen2: the model's ChatML template, loss on both assistant turns only", async () => {
    const tokenizer = await loadTokenizer(path.join(modelsDir, 'tiny-random-qwen2'));
    const example = await renderChat(tokenizer, conversation);
    if (example.kind !== 'chat') throw new Error('expected a chat example');
    expect(example.segments.map((s) => s.text).join('')).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nSay hi.<|im_end|>\n' +
        '<|im_start|>assistant\nHi!<|im_end|>\n<|im_start|>user\nAgain.<|im_end|>\n<|im_start|>assistant\nHi again!<|im_end|>\n',
    );
    expect(example.segments.filter((s) => s.isTarget).map((s) => s.text)).toEqual([
      'Hi!<|im_end|>\n',
      'Hi again!<|im_end|>\n',
    ]);
    const [sequence] = encodeExample(tokenizer, example, { maxLength: 128 }).sequences;
    if (!sequence) throw new Error('no sequence');
    expect(targetText(tokenizer, sequence)).toBe('Hi!<|im_end|>\nHi again!<|im_end|>\n');
    // The special tokens are single ids, not spelled out: the template's markers were recognized.
    expect(sequence.ids.filter((id) => id === 494)).toHaveLength(5);
  });

  it('a model without a chat template uses the fallback; ShareGPT and Alpaca rows convert', async () => {
    const tokenizer = await loadTokenizer(stories260k);
    expect(tokenizer.chatTemplate).toBeUndefined();
    const sharegpt = await renderChat(tokenizer, {
      conversations: [
        { from: 'human', value: 'Tell a story.' },
        { from: 'gpt', value: 'Once upon a time.' },
      ],
    });
    expect(sharegpt).toMatchObject({
      segments: [
        { text: 'User: Tell a story.\nAssistant:', isTarget: false },
        { text: ' Once upon a time.</s>\n', isTarget: true },
      ],
    });
    const alpaca = await renderChat(tokenizer, { instruction: 'Add.', input: '2 and 3', output: '5' });
    expect(alpaca).toMatchObject({
      segments: [
        { text: 'User: Add.\n\n2 and 3\nAssistant:', isTarget: false },
        { text: ' 5</s>\n', isTarget: true },
      ],
    });
    const [sequence] = encodeExample(tokenizer, alpaca, { maxLength: 128 }).sequences;
    expect(targetText(tokenizer, sequence as EncodedSequence).trim()).toBe('5</s>');
  });

  it('a conversation without an assistant turn is a bad row naming the field', async () => {
    const tokenizer = await loadTokenizer(stories260k);
    await expect(renderChat(tokenizer, { messages: [{ role: 'user', content: 'hello?' }] })).rejects.toThrow(
      'chat.jsonl row 1: field "messages": has no assistant message to learn from',
    );
  });
});
