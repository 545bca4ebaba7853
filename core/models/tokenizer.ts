// The sole wrapper of the tokenizer library (@huggingface/tokenizers). Everything else in ZO Studio
// sees only the `Tokenizer` interface below: ids in, ids out, the special ids a batch needs, and the
// model's chat template. It reads an HF folder's tokenizer.json + tokenizer_config.json
// (+ chat_template.jinja, the newer home of the template).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';

export interface EncodeOptions {
  /** Add the model's special tokens (BOS for Llama, `</s>` for OPT, nothing for GPT-2). Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop BOS/EOS/PAD and other special tokens from the text. Default false. */
  skipSpecialTokens?: boolean;
}

export interface Tokenizer {
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /**
   * Splits `prefix + continuation` into the ids of each part, tokenized *together*, so the
   * continuation's ids are the ones the model actually sees after the prefix (encoding the
   * continuation alone differs: SentencePiece adds a second "▁", byte-level BPE merges across the
   * boundary). When the boundary falls inside a token, that token goes to the continuation.
   */
  encodeContinuation(
    prefix: string,
    continuation: string,
  ): { prefixIds: number[]; continuationIds: number[] };
  idToToken(id: number): string | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  /** The pad token, or EOS when the tokenizer declares none (as HF pipelines do). */
  readonly padId: number;
  readonly chatTemplate?: string;
  /** Number of ids the tokenizer can produce (added tokens included); the model's vocab may be larger. */
  readonly vocabSize: number;
}

// tokenizer_config.json writes special tokens either as strings or as AddedToken objects.
const tokenField = z
  .union([z.string(), z.object({ content: z.string() }).transform((t) => t.content), z.null()])
  .optional();

const tokenizerConfigSchema = z
  .object({
    bos_token: tokenField,
    eos_token: tokenField,
    pad_token: tokenField,
    chat_template: z
      .union([z.string(), z.array(z.object({ name: z.string(), template: z.string() }))])
      .optional()
      .nullable(),
  })
  .passthrough();

type TokenizerConfig = z.infer<typeof tokenizerConfigSchema>;

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`${file} is not valid JSON: ${(error as Error).message}`);
  }
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function pickChatTemplate(config: TokenizerConfig, jinjaFile: string | undefined): string | undefined {
  if (jinjaFile !== undefined) return jinjaFile;
  const template = config.chat_template;
  if (typeof template === 'string') return template;
  // A list of named templates: HF uses the one named "default".
  return template?.find((t) => t.name === 'default')?.template ?? template?.[0]?.template;
}

function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const tokenizerJson = await readJson(path.join(dir, 'tokenizer.json'));
  const configFile = path.join(dir, 'tokenizer_config.json');
  const parsed = tokenizerConfigSchema.safeParse(
    (await readOptional(configFile)) ? await readJson(configFile) : {},
  );
  if (!parsed.success) throw new Error(`${configFile}: ${z.prettifyError(parsed.error)}`);
  const config = parsed.data;
  const hf = new HfTokenizer(tokenizerJson as object, config);

  const idOf = (token: string | null | undefined, field: string): number | undefined => {
    if (token === undefined || token === null) return undefined;
    const id = hf.token_to_id(token);
    if (id === undefined)
      throw new Error(`${configFile}: ${field} "${token}" is not in tokenizer.json's vocabulary`);
    return id;
  };
  const bosId = idOf(config.bos_token, 'bos_token');
  const eosId = idOf(config.eos_token, 'eos_token');
  const padId = idOf(config.pad_token, 'pad_token') ?? eosId;
  if (padId === undefined)
    throw new Error(`${configFile}: declares neither pad_token nor eos_token; cannot pad batches`);
  const chatTemplate = pickChatTemplate(config, await readOptional(path.join(dir, 'chat_template.jinja')));
  const vocabSize = hf.get_vocab(true).size;

  const encode = (text: string, options: EncodeOptions = {}): number[] =>
    hf.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;

  return {
    encode,
    decode: (ids, options = {}) =>
      hf.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false }),
    encodeContinuation(prefix, continuation) {
      const prefixIds = encode(prefix);
      const fullIds = encode(prefix + continuation);
      const split = commonPrefixLength(prefixIds, fullIds);
      return { prefixIds: fullIds.slice(0, split), continuationIds: fullIds.slice(split) };
    },
    idToToken: (id) => hf.id_to_token(id),
    bosId,
    eosId,
    padId,
    ...(chatTemplate === undefined ? {} : { chatTemplate }),
    vocabSize,
  };
}
