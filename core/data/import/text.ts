// Plain text for language modelling: each paragraph (lines up to a blank line) is one row {text}, so a
// book or a story collection keeps its natural units. Rows are numbered by their first line. A file
// without blank lines would be one endless paragraph, so a paragraph is cut into rows of at most
// `maxParagraphChars` (at line ends): memory stays bounded and no text is lost.
import { invalidUtf8, readLines } from './lines.ts';
import type { ReaderOptions, SourceRow } from './types.ts';

export const maxParagraphChars = 1 << 20;

export async function* readText(file: string, options: ReaderOptions): AsyncGenerator<SourceRow> {
  let paragraph: string[] = [];
  let paragraphChars = 0;
  let firstLine = 0;
  const flush = (): SourceRow => {
    const row = { row: { text: paragraph.join('\n') }, line: firstLine };
    paragraph = [];
    paragraphChars = 0;
    return row;
  };
  for await (const { line, text, isValidUtf8 } of readLines(file, options)) {
    if (!isValidUtf8) {
      options.issues.handle(invalidUtf8(file, line));
      continue;
    }
    if (text.trim() === '') {
      if (paragraph.length > 0) yield flush();
      continue;
    }
    if (paragraph.length > 0 && paragraphChars + text.length > maxParagraphChars) yield flush();
    if (paragraph.length === 0) firstLine = line;
    paragraph.push(text);
    paragraphChars += text.length + 1;
  }
  if (paragraph.length > 0) yield flush();
}
