// Tokenization of rendered examples: token ids per sequence plus a mask of the positions whose tokens
// are targets (scored). Truncation happens here, so it is counted here: a prompt loses its oldest tokens
// (after BOS) so the question and the scored continuation survive, as MeZO truncates from the left;
// raw text and chats lose their end.
import type { Tokenizer } from '../models/tokenizer.ts';
import type { RenderedExample, Segment } from './render.ts';

export interface EncodedSequence {
  ids: number[];
  /** 1 where ids[t] is a target token (labels[t] = ids[t]); 0 where it is context (labels[t] = -100). */
  isTarget: Uint8Array;
}

export interface EncodedExample {
  line: number;
  /** One per candidate for classification / multiple choice; one otherwise. */
  sequences: EncodedSequence[];
  /** Gold candidate index; -1 for tasks without candidates. */
  gold: number;
  /** Generation tasks: the prompt alone (what greedy decoding starts from) and the accepted answers. */
  promptIds?: number[];
  references?: string[];
  isTruncated: boolean;
}

export interface EncodeOptions {
  /** Longest sequence in tokens (the model's context, or less to save compute). */
  maxLength: number;
}

export function encodeExample(
  tokenizer: Tokenizer,
  example: RenderedExample,
  options: EncodeOptions,
): EncodedExample {
  const { maxLength } = options;
  switch (example.kind) {
    case 'candidates': {
      const sequences = example.candidates.map((candidate) =>
        truncatePrompt(continuation(tokenizer, example.prompt, candidate), maxLength, tokenizer.bosId),
      );
      return {
        line: example.line,
        sequences: sequences.map((s) => s.sequence),
        gold: example.gold,
        isTruncated: sequences.some((s) => s.isTruncated),
      };
    }
    case 'target': {
      const { sequence, isTruncated } = truncatePrompt(
        continuation(tokenizer, example.prompt, example.target),
        maxLength,
        tokenizer.bosId,
      );
      const promptIds = tokenizer.encode(example.prompt);
      return {
        line: example.line,
        sequences: [sequence],
        gold: -1,
        promptIds: promptIds.length > maxLength ? keepEnd(promptIds, maxLength, tokenizer.bosId) : promptIds,
        references: example.references,
        isTruncated,
      };
    }
    case 'text': {
      const ids = tokenizer.encode(example.text);
      return {
        line: example.line,
        ...truncateEnd({ ids, isTarget: new Uint8Array(ids.length).fill(1) }, maxLength),
        gold: -1,
      };
    }
    case 'chat': {
      // Chat templates write their own special tokens (bos_token), so the tokenizer adds none.
      const sequence = encodeSegments(tokenizer, example.segments, false);
      return { line: example.line, ...truncateEnd(sequence, maxLength), gold: -1 };
    }
  }
}

function continuation(tokenizer: Tokenizer, prompt: string, target: string): EncodedSequence {
  const { prefixIds, continuationIds } = tokenizer.encodeContinuation(prompt, target);
  const isTarget = new Uint8Array(prefixIds.length + continuationIds.length);
  isTarget.fill(1, prefixIds.length);
  return { ids: [...prefixIds, ...continuationIds], isTarget };
}

/**
 * Tokenizes segments together (so tokens merge across boundaries as in the full text) and marks the
 * tokens each target segment adds. A token straddling a boundary belongs to the later segment.
 */
function encodeSegments(
  tokenizer: Tokenizer,
  segments: readonly Segment[],
  addSpecialTokens: boolean,
): EncodedSequence {
  let text = '';
  let previous: number[] = [];
  const targetRanges: [number, number][] = [];
  for (const segment of segments) {
    text += segment.text;
    const ids = tokenizer.encode(text, { addSpecialTokens });
    let common = 0;
    while (common < previous.length && previous[common] === ids[common]) common++;
    if (segment.isTarget) targetRanges.push([common, ids.length]);
    previous = ids;
  }
  const isTarget = new Uint8Array(previous.length);
  for (const [start, end] of targetRanges) isTarget.fill(1, start, end);
  return { ids: previous, isTarget };
}

function keepEnd(ids: number[], maxLength: number, bosId: number | undefined): number[] {
  const keepsBos = bosId !== undefined && ids[0] === bosId;
  return keepsBos ? [bosId, ...ids.slice(ids.length - maxLength + 1)] : ids.slice(ids.length - maxLength);
}

function truncatePrompt(
  sequence: EncodedSequence,
  maxLength: number,
  bosId: number | undefined,
): { sequence: EncodedSequence; isTruncated: boolean } {
  const excess = sequence.ids.length - maxLength;
  if (excess <= 0) return { sequence, isTruncated: false };
  const promptLength =
    sequence.isTarget.indexOf(1) === -1 ? sequence.ids.length : sequence.isTarget.indexOf(1);
  const start = bosId !== undefined && sequence.ids[0] === bosId ? 1 : 0;
  // Drop the oldest prompt tokens; if the target alone is too long, its end goes too.
  const dropped = Math.min(excess, Math.max(0, promptLength - start - 1));
  const keep = (array: ArrayLike<number>) => [
    ...Array.from(array).slice(0, start),
    ...Array.from(array).slice(start + dropped, start + dropped + maxLength - start),
  ];
  return {
    sequence: { ids: keep(sequence.ids), isTarget: Uint8Array.from(keep(sequence.isTarget)) },
    isTruncated: true,
  };
}

function truncateEnd(
  sequence: EncodedSequence,
  maxLength: number,
): { sequences: EncodedSequence[]; isTruncated: boolean } {
  if (sequence.ids.length <= maxLength) return { sequences: [sequence], isTruncated: false };
  return {
    sequences: [{ ids: sequence.ids.slice(0, maxLength), isTarget: sequence.isTarget.slice(0, maxLength) }],
    isTruncated: true,
  };
}
