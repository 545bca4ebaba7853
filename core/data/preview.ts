// The dataset preview (wizard step 1, `zo-studio data preview`): how the first rows are read, mapped and
// rendered, with their token counts, plus the split's row count. Shaped as core/api's DatasetPreview.
import type { DatasetPreview } from '../api/domains/datasets.ts';
import type { Tokenizer } from '../models/tokenizer.ts';
import { openSplit, type OpenOptions } from './dataset.ts';
import { encodeExample } from './encode.ts';
import { previewText } from './render.ts';
import type { DatasetSource, SplitName } from './source.ts';

export interface PreviewOptions extends OpenOptions {
  split?: SplitName;
  /** Examples to render (default 5). */
  rows?: number;
  /** Counts the tokens of each example; without one the counts are 0 and a warning says so. */
  tokenizer?: Tokenizer;
  /** Tokens a sequence may have (for the truncation count); default 2048. */
  maxLength?: number;
}

/** The split to read when none is named: validation, else test, else train. */
export function defaultSplit(source: DatasetSource): SplitName {
  return (['validation', 'test', 'train'] as const).find((split) => source.splits[split]) ?? 'train';
}

export async function previewDataset(
  source: DatasetSource,
  options: PreviewOptions = {},
): Promise<DatasetPreview> {
  const split = await openSplit(source, options.split ?? defaultSplit(source), options);
  const wanted = options.rows ?? 5;
  const examples: DatasetPreview['examples'] = [];
  let rows = 0;
  let truncated = 0;
  for await (const example of split.examples()) {
    rows++;
    if (examples.length >= wanted) continue;
    const { prompt, target } = previewText(example);
    let tokens = 0;
    if (options.tokenizer) {
      const encoded = encodeExample(options.tokenizer, example, { maxLength: options.maxLength ?? 2048 });
      tokens = Math.max(...encoded.sequences.map((sequence) => sequence.ids.length));
      if (encoded.isTruncated) truncated++;
    }
    examples.push({ prompt, target, tokens });
  }
  const { skipped, firstErrors } = split.issues.report;
  const warnings = [
    ...(options.tokenizer ? [] : ['no model given: token counts are 0']),
    ...(truncated > 0
      ? [
          `${truncated} of the previewed examples exceed ${options.maxLength ?? 2048} tokens and will be truncated`,
        ]
      : []),
    ...(skipped > 0
      ? [`${skipped} bad rows skipped`, ...firstErrors.slice(0, 5).map((error) => error.message)]
      : []),
  ];
  return {
    source: source.label,
    rows: rows + skipped,
    columns: split.columns,
    task: split.task.name,
    mapping: split.mapping,
    examples,
    warnings,
  };
}
