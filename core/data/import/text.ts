// Plain text for language modelling: each paragraph (lines up to a blank line) is one row {text}, so a
// book or a story collection keeps its natural units. Rows are numbered by their first line.
import { invalidUtf8, readLines } from './lines.ts';
import type { ReaderOptions, SourceRow } from './types.ts';

export async function* readText(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
  let paragraph: string[] = [];
  let firstLine = 0;
  for await (const { line, text, isValidUtf8 } of readLines(file, options)) {
    if (!isValidUtf8) {
      options.issues.handle(invalidUtf8(file, line));
      continue;
    }
    if (text.trim() === '') {
      if (paragraph.length > 0) yield { row: { text: paragraph.join('\n') }, line: firstLine };
      paragraph = [];
      continue;
    }
    if (paragraph.length === 0) firstLine = line;
    paragraph.push(text);
  }
  if (paragraph.length > 0) yield { row: { text: paragraph.join('\n') }, line: firstLine };
}
