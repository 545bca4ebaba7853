// The examples a run trains and evaluates on, read through core/data (import → mapping → templates
// → tokens). Validation comes from, in order: the config's validation file, the dataset folder's
// validation split, or the last `heldOutRows` training rows (held out, never trained on).
import type { DataConfig } from './config.ts';
import { loadEncoded, openSplit, type LoadReport, type OpenedSplit } from '../data/dataset.ts';
import type { EncodedExample } from '../data/encode.ts';
import { resolveSource } from '../data/resolve-source.ts';
import type { TaskDefinition } from '../data/tasks/definition.ts';
import type { Tokenizer } from '../models/tokenizer.ts';

export interface TrainingData {
  train: EncodedExample[];
  validation: EncodedExample[];
  /** The task as core/data resolved it (templates, label words, metrics). */
  task: TaskDefinition;
  /** Human-readable notes: skipped or truncated rows, held-out validation. */
  notes: string[];
}

export async function loadTrainingData(
  data: DataConfig,
  tokenizer: Tokenizer,
  validationRows: number,
): Promise<TrainingData> {
  const options = { task: data.task, tokenizer, ...(data.columns ? { mapping: data.columns } : {}) };
  const source = await resolveSource(data.train);
  const trainSplit = await openSplit(source, 'train', options);
  const notes: string[] = [];
  const load = async (split: OpenedSplit, limit?: number): Promise<EncodedExample[]> => {
    const loaded = await loadEncoded(split, {
      tokenizer,
      maxLength: data.maxLength,
      ...(limit ? { limit } : {}),
    });
    const note = describeReport(split.file, loaded.report);
    if (note) notes.push(note);
    return loaded.encoded;
  };

  let train = await load(trainSplit, data.trainRows);
  let validation: EncodedExample[];
  const validationSource = data.validation ? await resolveSource(data.validation) : source;
  const validationSplitName = data.validation ? 'train' : 'validation';
  if (validationSource.splits[validationSplitName]) {
    validation = await load(await openSplit(validationSource, validationSplitName, options), validationRows);
  } else {
    const heldOut = Math.min(data.heldOutRows, train.length - 1);
    if (heldOut < 1) {
      throw new Error(
        `${data.train}: ${train.length} row(s) cannot be split into training and validation rows`,
      );
    }
    validation = train.slice(train.length - heldOut).slice(0, validationRows);
    train = train.slice(0, train.length - heldOut);
    notes.push(`no validation file: the last ${heldOut} rows of ${data.train} are held out for validation`);
  }
  if (train.length === 0) throw new Error(`${data.train}: no training rows left to train on`);
  if (validation.length === 0) throw new Error(`${data.validation ?? data.train}: no validation rows`);
  return { train, validation, task: trainSplit.task, notes };
}

function describeReport(file: string, report: LoadReport): string | undefined {
  const parts: string[] = [];
  if (report.skipped > 0) parts.push(`${report.skipped} bad row(s) skipped`);
  if (report.truncated > 0) parts.push(`${report.truncated} example(s) truncated to fit the maximum length`);
  return parts.length > 0 ? `${file}: ${parts.join(', ')}` : undefined;
}
