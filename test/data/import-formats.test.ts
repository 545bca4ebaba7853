// The same rows written as JSONL, JSON, CSV, TSV, Parquet and plain text read back identically, with
// line numbers and byte progress that ends at the file size.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../core/data/import/formats.ts';
import { maxParagraphChars } from '../../core/data/import/text.ts';
import { readAll } from './helpers/read-all.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'zo-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Commas, quotes, a tab-free multi-line value, non-ASCII text: what breaks naive splitting.
const rows = [
  { text: 'a plain sentence', label: '0' },
  { text: 'with, a comma and "quotes"', label: '1' },
  { text: 'two\nlines', label: '0' },
  { text: 'héllo wörld — ünïcode ✓', label: '1' },
];

const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
};

const csvQuote = (value: string) => (/[",\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

describe('importers', () => {
  it('JSONL: rows with line numbers; blank lines and CRLF endings are fine', async () => {
    const body = rows.map((row) => JSON.stringify(row)).join('\r\n') + '\r\n\r\n';
    const file = write('rows.jsonl', `\uFEFF${body}`);
    const { rows: read, progress } = await readAll('jsonl', file);
    expect(read.map((r) => r.row)).toEqual(rows);
    expect(read.map((r) => r.line)).toEqual([1, 2, 3, 4]);
    expect(progress.at(-1)).toEqual({ bytesRead: statSync(file).size, totalBytes: statSync(file).size });
  });

  it('JSON: an array of objects, or {"data": [...]}', async () => {
    expect((await readAll('json', write('rows.json', JSON.stringify(rows)))).rows.map((r) => r.row)).toEqual(
      rows,
    );
    const wrapped = write('wrapped.json', JSON.stringify({ data: rows }));
    expect((await readAll('json', wrapped)).rows.map((r) => r.row)).toEqual(rows);
  });

  it('CSV: header row, quoted commas/quotes/newlines, line numbers of the record end', async () => {
    const body = ['text,label', ...rows.map((row) => `${csvQuote(row.text)},${row.label}`)].join('\n') + '\n';
    const { rows: read } = await readAll('csv', write('rows.csv', body));
    expect(read.map((r) => r.row)).toEqual(rows);
    expect(read.map((r) => r.line)).toEqual([2, 3, 5, 6]);
  });

  it('TSV: tab-separated with a header', async () => {
    const body = [
      'text\tlabel',
      ...rows.filter((r) => !r.text.includes('\n')).map((r) => `${r.text}\t${r.label}`),
    ].join('\n');
    const { rows: read } = await readAll('tsv', write('rows.tsv', body));
    expect(read.map((r) => r.row)).toEqual(rows.filter((r) => !r.text.includes('\n')));
  });

  it('Parquet: rows across several row groups, read group by group with progress', async () => {
    const file = path.join(dir, 'rows.parquet');
    const many = Array.from({ length: 2500 }, (_, i) => rows[i % rows.length] as (typeof rows)[number]);
    parquetWriteFile({
      filename: file,
      columnData: [
        { name: 'text', data: many.map((r) => r.text), type: 'STRING' },
        { name: 'label', data: many.map((r) => BigInt(r.label)), type: 'INT64' },
      ],
      rowGroupSize: 1000,
    });
    const { rows: read, progress } = await readAll('parquet', file);
    expect(read).toHaveLength(2500);
    expect(read[1]?.row).toEqual({ text: rows[1]?.text, label: 1n });
    expect(read[2499]?.line).toBe(2500);
    expect(progress).toHaveLength(3); // one report per row group
    expect(progress.at(-1)?.bytesRead).toBeLessThanOrEqual(statSync(file).size);
  });

  it('plain text: one row per paragraph, numbered by its first line', async () => {
    const file = write('book.txt', 'First paragraph\ncontinues here.\n\n\nSecond one.\n\nThird.');
    const { rows: read } = await readAll('text', file);
    expect(read).toEqual([
      { row: { text: 'First paragraph\ncontinues here.' }, line: 1 },
      { row: { text: 'Second one.' }, line: 5 },
      { row: { text: 'Third.' }, line: 7 },
    ]);
  });

  it('plain text without blank lines is cut into bounded rows at line ends, losing nothing', async () => {
    const line = 'a line of a book that never has a blank line between its paragraphs';
    const lines = Array.from({ length: 40_000 }, () => line);
    const { rows: read } = await readAll('text', write('wall.txt', lines.join('\n')));
    expect(read.length).toBeGreaterThan(2);
    expect(read.every((r) => (r.row.text as string).length <= maxParagraphChars)).toBe(true);
    expect(read.map((r) => r.row.text).join('\n')).toBe(lines.join('\n'));
    expect(read[1]?.line).toBe((read[0]?.row.text as string).split('\n').length + 1);
  });

  it('detects the format from the extension and names the allowed ones otherwise', () => {
    expect(detectFormat('a/b/Train.JSONL')).toBe('jsonl');
    expect(detectFormat('x.parquet')).toBe('parquet');
    expect(() => detectFormat('data.xlsx')).toThrow(
      /data\.xlsx: unknown file type; expected one of .*\.jsonl/,
    );
  });
});
