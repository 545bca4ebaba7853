// Streams a text file line by line with bounded memory: chunks are split on "\n" as bytes, and each line
// is decoded on its own with a strict UTF-8 decoder, so an encoding error names its line instead of
// turning into U+FFFD somewhere in the data. A line longer than `maxLineBytes` stops the read: it is
// the sign of a binary or wrongly-typed file, and buffering it would hold the whole file in memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DataError } from '../errors.ts';
import type { ImportProgress } from './types.ts';

export interface TextLine {
  /** 1-based. */
  line: number;
  /** The decoded text, without its line ending (invalid bytes become U+FFFD). */
  text: string;
  /** False when the bytes are not valid UTF-8: the reader reports the line instead of using `text`. */
  isValidUtf8: boolean;
}

export interface LineOptions {
  maxLineBytes?: number;
  onProgress?: (progress: ImportProgress) => void;
}

const defaultMaxLineBytes = 64 * 1024 * 1024;
const newline = 0x0a;
const carriageReturn = 0x0d;

/** Throws a DataError for an empty file, so every reader reports it the same way. */
export async function fileSize(file: string): Promise<number> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new DataError(
      file,
      undefined,
      undefined,
      `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  if (size === 0) throw new DataError(file, undefined, undefined, 'the file is empty (0 bytes)');
  return size;
}

export async function* readLines(file: string, options: LineOptions = {}): AsyncGenerator<TextLine> {
  const totalBytes = await fileSize(file);
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  // ignoreBOM: false drops a leading byte-order mark (Windows editors write one on the first line).
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  const decode = (line: number, bytes: Buffer): TextLine => {
    const end =
      bytes.length > 0 && bytes[bytes.length - 1] === carriageReturn ? bytes.length - 1 : bytes.length;
    const content = bytes.subarray(0, end);
    try {
      return { line, text: decoder.decode(content), isValidUtf8: true };
    } catch {
      return { line, text: content.toString('utf8'), isValidUtf8: false };
    }
  };

  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = 0;
  let bytesRead = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(newline, start); end !== -1; end = chunk.indexOf(newline, start)) {
      const piece = chunk.subarray(start, end);
      const bytes = pending.length === 0 ? piece : Buffer.concat([...pending, piece]);
      pending = [];
      pendingBytes = 0;
      line++;
      if (bytes.length > maxLineBytes) throw tooLong(file, line, maxLineBytes);
      yield decode(line, bytes);
      start = end + 1;
    }
    if (start < chunk.length) {
      pending.push(chunk.subarray(start));
      pendingBytes += chunk.length - start;
      if (pendingBytes > maxLineBytes) throw tooLong(file, line + 1, maxLineBytes);
    }
    bytesRead += chunk.length;
    options.onProgress?.({ bytesRead, totalBytes });
  }
  if (pendingBytes > 0) {
    line++;
    yield decode(line, Buffer.concat(pending));
  }
}

function tooLong(file: string, line: number, maxLineBytes: number): DataError {
  return new DataError(
    file,
    line,
    undefined,
    `line is longer than ${maxLineBytes} bytes; is this really a line-based text file?`,
  );
}

export function invalidUtf8(file: string, line: number): DataError {
  return new DataError(file, line, undefined, 'invalid UTF-8 bytes; re-save the file as UTF-8');
}
