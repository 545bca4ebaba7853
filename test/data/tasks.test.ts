// Built-in task definitions: all validate, and MeZO's templates render exactly on rows shaped as the Hub
// publishes them (the fixture layout is covered by fixture-datasets.test.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRowMapper, detectMapping } from '../../core/data/mapping.ts';
import { createRenderer, type RenderedExample } from '../../core/data/render.ts';
import { listBuiltInTasks, loadTaskFile, resolveTask } from '../../core/data/tasks/registry.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-tasks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Detects the mapping from the row's own columns, maps and renders it. */
async function render(taskName: string, row: Record<string, unknown>): Promise<RenderedExample> {
  const task = await resolveTask(taskName);
  const { mapping, missing } = detectMapping(task, Object.keys(row));
  expect(missing).toEqual([]);
  const mapRow = createRowMapper({ file: 'row.jsonl', task, mapping });
  return createRenderer(task, { file: 'row.jsonl' })(mapRow({ row, line: 1 }));
}

describe('built-in tasks', () => {
  it('ships the MeZO suite plus generic tasks, each valid and named after its file', async () => {
    const names = (await listBuiltInTasks()).map((task) => task.name);
    for (const name of [
      'sst2',
      'sst5',
      'trec',
      'rte',
      'cb',
      'boolq',
      'copa',
      'squad',
      'mnli',
      'snli',
      'wic',
      'wsc',
      'multirc',
      'record',
      'drop',
      'lm',
      'chat',
      'qa',
    ]) {
      expect(names).toContain(name);
    }
  });

  it('SST-2 (GLUE columns): "<sentence> It was" + " terrible" | " great"', async () => {
    expect(await render('sst2', { sentence: 'a gem of a movie .', label: 1, idx: 3 })).toEqual({
      kind: 'candidates',
      line: 1,
      prompt: 'a gem of a movie . It was',
      candidates: [' terrible', ' great'],
      gold: 1,
    });
  });

  it('RTE (SuperGLUE columns): MeZO wording with the trailing newline Jinja would drop', async () => {
    const example = await render('rte', { premise: 'A cat sat.', hypothesis: 'An animal sat.', label: 0 });
    expect(example).toMatchObject({
      prompt: 'A cat sat.\nDoes this mean that "An animal sat." is true? Yes or No?\n',
      candidates: ['Yes', 'No'],
      gold: 0,
    });
  });

  it('BoolQ (Hub columns, boolean answer): capitalized question with "?", " No" | " Yes"', async () => {
    const example = await render('boolq', {
      passage: 'The sky is blue.',
      question: 'is the sky blue',
      answer: true,
    });
    expect(example).toMatchObject({
      prompt: 'The sky is blue. Is the sky blue?',
      candidates: [' No', ' Yes'],
      gold: 1,
    });
  });

  it('COPA (choice1/choice2 columns): premise without its period + " because", choices lower-cased but "I"', async () => {
    const example = await render('copa', {
      premise: 'My body cast a shadow over the grass.',
      question: 'cause',
      choice1: 'The sun was rising.',
      choice2: 'I stood in the sun.',
      label: 0,
    });
    expect(example).toMatchObject({
      prompt: 'My body cast a shadow over the grass because',
      candidates: [' the sun was rising.', ' I stood in the sun.'],
      gold: 0,
    });
    const effect = await render('copa', {
      premise: 'It rained.',
      question: 'effect',
      choices: ['We got wet.', 'X.'],
      label: 0,
    });
    expect(effect).toMatchObject({ prompt: 'It rained so', candidates: [' we got wet.', ' x.'] });
  });

  it('CB, WiC, WSC, MultiRC render their MeZO prompts', async () => {
    expect(await render('cb', { premise: 'P.', hypothesis: 'H', label: 2 })).toMatchObject({
      prompt: 'Suppose P. Can we infer that "H"? Yes, No, or Maybe?\n',
      candidates: ['Yes', 'No', 'Maybe'],
      gold: 2,
    });
    expect(
      await render('wic', { word: 'bank', sentence1: 'S1.', sentence2: 'S2.', label: true }),
    ).toMatchObject({
      prompt: 'Does the word "bank" have the same meaning in these two sentences? Yes, No?\nS1.\nS2.\n',
      gold: 1,
    });
    expect(
      await render('wsc', {
        text: 'Mark told Pete he was late.',
        span1_text: 'Pete',
        span2_text: 'He',
        label: 0,
      }),
    ).toMatchObject({
      prompt:
        'Mark told Pete he was late.\nIn the previous sentence, does the pronoun "he" refer to Pete? Yes or No?\n',
      candidates: ['No', 'Yes'],
    });
    expect(
      await render('multirc', { paragraph: 'Para.', question: 'Q?', answer: 'A', label: 1 }),
    ).toMatchObject({
      prompt: 'Para.\nQuestion: Q?\nI found this answer "A". Is that correct? Yes or No?\n',
      gold: 1,
    });
  });

  it('ReCoRD: each entity fills @placeholder; the gold choice comes from the answers', async () => {
    const example = await render('record', {
      passage: 'Alice met Bob.\n@highlight\nThey talked',
      query: '@placeholder said hello',
      entities: ['Alice', 'Bob'],
      answers: ['Bob'],
    });
    expect(example).toMatchObject({
      prompt: 'Alice met Bob.\n- They talked\n- ',
      candidates: ['Alice said hello', 'Bob said hello'],
      gold: 1,
    });
  });

  it('SQuAD and DROP: teacher-forced first answer, every answer kept for F1/EM', async () => {
    const squad = await render('squad', {
      title: 'T',
      context: 'C.',
      question: 'Q?',
      answers: { text: ['Denver Broncos', 'Broncos'], answer_start: [0, 7] },
    });
    expect(squad).toEqual({
      kind: 'target',
      line: 1,
      prompt: 'Title: T\nContext: C.\nQuestion: Q?\nAnswer:',
      target: ' Denver Broncos',
      references: ['Denver Broncos', 'Broncos'],
    });
    const drop = await render('drop', {
      passage: 'P.',
      question: 'How many?',
      answers_spans: { spans: ['3'], types: ['number'] },
    });
    expect(drop).toMatchObject({
      prompt: 'Passage: P.\nQuestion: How many?\nAnswer:',
      target: ' 3',
      references: ['3'],
    });
  });

  it('MNLI label names map to Yes / Maybe / No', async () => {
    expect(await render('mnli', { premise: 'P.', hypothesis: 'H', label: 'contradiction' })).toMatchObject({
      gold: 2,
    });
    expect(
      (await resolveTask('mnli')).type === 'classification' && (await resolveTask('mnli')),
    ).toMatchObject({
      verbalizer: ['Yes', 'Maybe', 'No'],
    });
  });

  it('"classification" builds a generic task over the dataset labels, and needs them', async () => {
    const task = await resolveTask('classification', { labels: ['spam', 'ham'] });
    expect(task).toMatchObject({ type: 'classification', verbalizer: [' spam', ' ham'] });
    await expect(resolveTask('classification')).rejects.toThrow(
      'task "classification" needs the label names',
    );
    const mapRow = createRowMapper({ file: 'x', task, mapping: { text: 'text', label: 'label' } });
    const example = createRenderer(task, { file: 'x' })(
      mapRow({ row: { text: 'Win money', label: 'spam' }, line: 1 }),
    );
    expect(example).toMatchObject({ prompt: 'Win money\nLabel:', gold: 0 });
    const pairMapper = createRowMapper({
      file: 'x',
      task,
      mapping: { text: 'a', text_pair: 'b', label: 'l' },
    });
    const pair = createRenderer(task, { file: 'x' })(pairMapper({ row: { a: 'A', b: 'B', l: 1 }, line: 1 }));
    expect(pair).toMatchObject({ prompt: 'A\nB\nLabel:', gold: 1 });
  });

  it('a user task file is validated, with errors naming the file and the field', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        name: 'mine',
        title: 'Mine',
        type: 'classification',
        fields: { text: ['text'], label: ['label'] },
        template: '{{ text }}',
        labels: ['a', 'b', 'c'],
        verbalizer: [' A', ' B'],
        metrics: ['accuracy'],
      }),
    );
    await expect(loadTaskFile(bad)).rejects.toThrow(
      new RegExp(
        `task file ${bad} is invalid:[\\s\\S]*"verbalizer" needs one word per entry of "labels"[\\s\\S]*verbalizer`,
      ),
    );
    const good = path.join(dir, 'good.json');
    writeFileSync(
      good,
      JSON.stringify({
        name: 'mine',
        title: 'Mine',
        type: 'multiple_choice',
        fields: { question: ['q'], choices: ['opts'], label: ['gold'] },
        template: 'Q: {{ question }}\nA:',
        candidate: ' {{ choice }}',
        metrics: ['accuracy'],
      }),
    );
    const task = await resolveTask(good);
    const mapRow = createRowMapper({
      file: 'x',
      task,
      mapping: { question: 'q', choices: 'opts', label: 'gold' },
    });
    expect(
      createRenderer(task, { file: 'x' })(mapRow({ row: { q: '2+2?', opts: ['3', '4'], gold: 1 }, line: 7 })),
    ).toEqual({
      kind: 'candidates',
      line: 7,
      prompt: 'Q: 2+2?\nA:',
      candidates: [' 3', ' 4'],
      gold: 1,
    });
  });
});
