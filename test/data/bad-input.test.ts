// Bad input: each case is an error naming the file, the row and (where one is at fault) the field, and
// under the 'skip' policy the row is skipped and counted, never silently dropped. Nothing hangs.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEncoded, openSplit, type OpenOptions } from '../../core/data/dataset.ts';
import { DataError } from '../../core/data/errors.ts';
import { readLines } from '../../core/data/import/lines.ts';
import { resolveLocalSource } from '../../core/data/source.ts';
import { loadTokenizer } from '../../core/models/tokenizer.ts';
import { stories260k } from './helpers/paths.ts';
import { readAll } from './helpers/read-all.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-bad-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

async function examplesOf(file: string, options: OpenOptions) {
  const split = await openSplit(await resolveLocalSource(file), 'train', options);
  const tokenizer = await loadTokenizer(stories260k);
  return loadEncoded(split, { tokenizer, maxLength: 128 });
}

const sst2Rows = (...labels: unknown[]) =>
  labels.map((label, i) => JSON.stringify({ text: `review ${i}`, label })).join('\n');

describe('bad input', () => {
  it('malformed JSON row: fails naming file and line, or is skipped and counted', async () => {
    const file = write(
      'malformed.jsonl',
      '{"text": "ok", "label": 0}\n{"text": "broken", "label": \n{"text": "fine", "label": 1}\n',
    );
    await expect(examplesOf(file, { task: 'sst2' })).rejects.toThrow(`${file} row 2: malformed JSON`);
    const { encoded, report } = await examplesOf(file, { task: 'sst2', policy: 'skip' });
    expect(encoded.map((e) => e.line)).toEqual([1, 3]);
    expect(report.skipped).toBe(1);
    expect(report.firstErrors[0]).toBeInstanceOf(DataError);
    expect(report.firstErrors[0]?.row).toBe(2);
  });

  it('a JSON line that is not an object', async () => {
    const file = write('array-line.jsonl', '{"text": "a"}\n[1, 2]\n');
    await expect(readAll('jsonl', file)).rejects.toThrow(`${file} row 2: expected a JSON object`);
  });

  it('missing column: names the task field, the columns it accepts and the columns present', async () => {
    const file = write('no-label.jsonl', JSON.stringify({ sentence: 'x', rating: 1 }));
    await expect(examplesOf(file, { task: 'sst2' })).rejects.toThrow(
      `${file}: task "sst2" needs "label" (one of: label), but the columns are: sentence, rating`,
    );
    // An explicit mapping fixes it.
    const { encoded } = await examplesOf(file, { task: 'sst2', mapping: { label: 'rating' } });
    expect(encoded[0]?.gold).toBe(1);
  });

  it('a row missing a column the first row had', async () => {
    const file = write('ragged.jsonl', `${sst2Rows(0, 1)}\n{"text": "no label here"}\n`);
    await expect(examplesOf(file, { task: 'sst2' })).rejects.toThrow(
      `${file} row 3: field "label": column is missing in this row`,
    );
  });

  it('label outside the label set: by name, by index, by type', async () => {
    const byName = write('label-name.jsonl', sst2Rows('positive', 'maybe'));
    await expect(examplesOf(byName, { task: 'sst2' })).rejects.toThrow(
      `${byName} row 2: field "label": is "maybe"; expected one of: negative, positive (or an index 0-1)`,
    );
    const byIndex = write('label-index.jsonl', sst2Rows(1, 7, 0, null));
    await expect(examplesOf(byIndex, { task: 'sst2' })).rejects.toThrow(
      `${byIndex} row 2: field "label": is 7`,
    );
    const { encoded, report } = await examplesOf(byIndex, { task: 'sst2', policy: 'skip' });
    expect(encoded.map((e) => e.gold)).toEqual([1, 0]);
    expect(report.skipped).toBe(2);
    expect(report.firstErrors.map((e) => e.message)).toEqual([
      `${byIndex} row 2: field "label": is 7; expected one of: negative, positive (or an index 0-1)`,
      `${byIndex} row 4: field "label": is null; expected one of: negative, positive (or an index 0-1)`,
    ]);
  });

  it('invalid UTF-8: JSONL names the line, CSV the line and the field', async () => {
    const bad = Buffer.from([0x22, 0xff, 0xfe, 0x22]); // "\xff\xfe": not UTF-8
    const jsonl = write(
      'latin.jsonl',
      Buffer.concat([
        Buffer.from('{"text": "ok", "label": 0}\n{"text": '),
        bad,
        Buffer.from(', "label": 1}\n'),
      ]),
    );
    await expect(examplesOf(jsonl, { task: 'sst2' })).rejects.toThrow(
      `${jsonl} row 2: invalid UTF-8 bytes; re-save the file as UTF-8`,
    );
    const csv = write(
      'latin.csv',
      Buffer.concat([Buffer.from('text,label\nfine,0\n'), bad, Buffer.from(',1\nalso fine,1\n')]),
    );
    await expect(readAll('csv', csv)).rejects.toThrow(`${csv} row 3: field "text": invalid UTF-8 bytes`);
    const { rows, issues } = await readAll('csv', csv, 'skip');
    expect(rows.map((r) => r.row.text)).toEqual(['fine', 'also fine']);
    expect(issues.report.skipped).toBe(1);
  });

  it('CSV row with the wrong number of fields', async () => {
    const csv = write('ragged.csv', 'text,label\na,0\nb\nc,1\n');
    await expect(readAll('csv', csv)).rejects.toThrow(
      `${csv} row 3: malformed row: columns length is 2, got 1`,
    );
    const { rows, issues } = await readAll('csv', csv, 'skip');
    expect(rows).toHaveLength(2);
    expect(issues.report.skipped).toBe(1);
  });

  it('an unclosed CSV quote stops at a bounded record size, naming the row where it opened', async () => {
    const csv = write(
      'unclosed.csv',
      `text,label\nok,1\n"never closed\n${'more text on a line\n'.repeat(450_000)}`,
    );
    await expect(readAll('csv', csv)).rejects.toThrow(
      `${csv} row 3: malformed row: it runs on past 8388608 bytes (an unclosed quote?)`,
    );
  });

  it('empty files: zero bytes, only blank lines, a CSV header without rows', async () => {
    const empty = write('empty.jsonl', '');
    await expect(examplesOf(empty, { task: 'sst2' })).rejects.toThrow(
      `${empty}: the file is empty (0 bytes)`,
    );
    const blank = write('blank.jsonl', '\n\n  \n');
    await expect(examplesOf(blank, { task: 'sst2' })).rejects.toThrow(`${blank}: contains no rows`);
    const header = write('header.csv', 'text,label\n');
    await expect(examplesOf(header, { task: 'sst2' })).rejects.toThrow(`${header}: contains no rows`);
  });

  it('a 10 GB file (sparse, no line breaks) fails fast with bounded memory instead of hanging', async () => {
    const huge = path.join(dir, 'huge.jsonl');
    writeFileSync(huge, '');
    truncateSync(huge, 10 * 1024 ** 3);
    const started = performance.now();
    const rssBefore = process.memoryUsage().rss;
    await expect(readAll('jsonl', huge)).rejects.toThrow(`${huge} row 1: line is longer than 67108864 bytes`);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(512 * 1024 ** 2);
    expect(performance.now() - started).toBeLessThan(30_000);

    const hugeJson = path.join(dir, 'huge.json');
    writeFileSync(hugeJson, '');
    truncateSync(hugeJson, 10 * 1024 ** 3);
    await expect(readAll('json', hugeJson)).rejects.toThrow(
      /huge\.json: 10737418240 bytes is above the .* limit .* convert it to JSONL/,
    );

    const hugeParquet = path.join(dir, 'huge.parquet');
    writeFileSync(hugeParquet, '');
    truncateSync(hugeParquet, 10 * 1024 ** 3);
    await expect(readAll('parquet', hugeParquet)).rejects.toThrow(
      `${hugeParquet}: not a readable Parquet file`,
    );
  });

  it('line limit is configurable and names the line that broke it', async () => {
    const file = write('long-line.txt', `short\n${'x'.repeat(5000)}\n`);
    const read = async () => {
      for await (const line of readLines(file, { maxLineBytes: 1024 })) void line;
    };
    await expect(read()).rejects.toThrow(`${file} row 2: line is longer than 1024 bytes`);
  });

  it('an unreadable path and an unknown task say what is allowed', async () => {
    await expect(resolveLocalSource(path.join(dir, 'nope.jsonl'))).rejects.toThrow(
      'nope.jsonl: no such file or folder',
    );
    const file = write('ok.jsonl', sst2Rows(0));
    await expect(examplesOf(file, { task: 'sst3' })).rejects.toThrow(
      /unknown task "sst3"; expected a task file \(\.json\) or one of: .*sst2/,
    );
  });
});
