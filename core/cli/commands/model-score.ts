// zo-studio model score DIR --text "..." [--ep cpu|webgpu|cuda|auto] [--json]
// One forward pass over a text: the mean next-token NLL (first token not predicted) and the first 16
// logits at the last position, the numbers a fixture's reference.json records, so a model or a build
// can be checked by hand against a reference.
import { loadModel } from '../../models/load.ts';
import { loadTokenizer } from '../../models/tokenizer.ts';
import { parseEpChoice } from '../../runtime/backend.ts';
import { Engine } from '../../runtime/engine.ts';
import { parseCommandArgs, usageError } from '../command-args.ts';

const LOGITS_HEAD = 16;

const usage = `usage: zo-studio model score DIR --text "..." [--ep cpu|webgpu|cuda|auto] [--json]

  DIR          a Hugging Face model folder
  --text T     the text to score (encoded with the model's tokenizer, special tokens included)
  --ep EP      execution provider (default cpu); auto picks the fastest available and says why
  --json       print {"tokens","ids","mean_nll","last_logits_head","ep"} instead of a table
`;

export interface ScoreResult {
  tokens: string[];
  ids: number[];
  mean_nll: number;
  last_logits_head: number[];
  ep: string;
  ep_note?: string;
}

export async function scoreText(dir: string, text: string, ep: string): Promise<ScoreResult> {
  const model = await loadModel(dir);
  const tokenizer = await loadTokenizer(dir);
  const ids = tokenizer.encode(text);
  if (ids.length < 2) {
    throw new Error(
      `--text encodes to ${ids.length} token(s); scoring needs at least 2 (the first is never predicted)`,
    );
  }
  const engine = await Engine.create(model, { ep: parseEpChoice(ep), outputs: { lastLogits: true } });
  try {
    const inputIds = BigInt64Array.from(ids, BigInt);
    const labels = inputIds.slice();
    labels[0] = -100n;
    const out = await engine.forward(
      {
        batch: 1,
        seqLen: ids.length,
        inputIds,
        attentionMask: new BigInt64Array(ids.length).fill(1n),
        labels,
      },
      engine.initialParams(),
    );
    return {
      tokens: ids.map((id) => tokenizer.idToToken(id) ?? `<${id}>`),
      ids,
      mean_nll: out.loss[0] as number,
      last_logits_head: Array.from((out.lastLogits as Float32Array).subarray(0, LOGITS_HEAD)),
      ep: engine.ep,
      ...(engine.epNote ? { ep_note: engine.epNote } : {}),
    };
  } finally {
    await engine.dispose();
  }
}

function formatTable(r: ScoreResult): string {
  return (
    [
      `tokens      ${r.tokens.length}: ${r.tokens.join(' ')}`,
      `mean NLL    ${r.mean_nll.toFixed(6)} nats (perplexity ${Math.exp(r.mean_nll).toFixed(3)})`,
      `last logits ${r.last_logits_head.map((v) => v.toFixed(4)).join(' ')}`,
      `ep          ${r.ep}${r.ep_note ? ` (${r.ep_note})` : ''}`,
    ].join('\n') + '\n'
  );
}

export async function runScore(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('model score', usage, argv, {
    text: { type: 'string' },
    ep: { type: 'string', default: 'cpu' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  try {
    parseEpChoice(parsed.values.ep);
  } catch (error) {
    return usageError('model score', usage, (error as Error).message);
  }
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length > 0 || parsed.values.text === undefined) {
    return usageError('model score', usage, 'expected one model folder and --text');
  }
  // Errors (a bad folder, an unavailable provider, a too-short text) reach the CLI's top-level handler,
  // which prints the message without a stack and exits 1.
  const result = await scoreText(dir, parsed.values.text, parsed.values.ep);
  process.stdout.write(parsed.values.json ? `${JSON.stringify(result)}\n` : formatTable(result));
  return 0;
}
