// One ONNX graph per (model, PEFT mode, requested outputs): inputs input_ids, attention_mask, labels
// [B, T] int64 (+ the plan's trainables, + candidate_ids [B, K] / answer_pos [B] when asked), output
// `loss` [B] (per-example mean masked cross-entropy) plus the optional small outputs below.
import type { LoadedModel } from '../models/types.ts';
import { planPeft, type PeftConfig, type PeftPlan } from '../peft/plan.ts';
import { GraphBuilder, type Value } from './builder.ts';
import { headLogits, hiddenAt, hiddenGrad, lastRealPosition, maskedCrossEntropy } from './blocks/head.ts';
import { sequenceDims } from './blocks/mask.ts';
import { buildDecoder } from './decoder.ts';
import { WeightResolver, type LoraForm } from './weights.ts';

export interface GraphOutputOptions {
  /** `token_count` [B]: labelled positions per row. */
  tokenCount?: boolean;
  /** `candidate_logits` [B, K]: logits of `candidate_ids` at the answer position. */
  candidateLogits?: boolean;
  /** `last_logits` [B, V]: all logits at the answer position (scoring, parity; not for the hot path). */
  lastLogits?: boolean;
  /** The answer position comes from an `answer_pos` [B] input instead of the last real token. */
  answerPos?: boolean;
  /** `hidden` [B, T, H]: final hidden states after the final norm. */
  hidden?: boolean;
  /** `hidden_grad` [B, T, H]: ∂(Σ_b loss_b)/∂hidden. */
  hiddenGrad?: boolean;
  /** `key_values` [B, layers·2, kv, T, d]: each layer's keys (after RoPE) and values, in PEFT prefix order. */
  keyValues?: boolean;
}

export interface TrainingGraphOptions {
  peft: PeftConfig;
  outputs?: GraphOutputOptions;
  /** Use ORT CPU contrib kernels (norms, RoPE, attention). Leave off for WebGPU/CUDA and for the plain reference build. */
  fused?: boolean;
  /** LoRA as a per-token branch (default) or merged into the frozen weight per run; see blocks/linear.ts. */
  loraForm?: LoraForm;
}

export interface TrainingGraph {
  graph: GraphBuilder;
  plan: PeftPlan;
}

export function buildTrainingGraph(model: LoadedModel, options: TrainingGraphOptions): TrainingGraph {
  const { hidden, vocab } = model.config;
  const outputs = options.outputs ?? {};
  const plan = planPeft(model, options.peft);
  const g = new GraphBuilder();
  const inputIds = g.input('input_ids', 'int64', ['batch', 'seq']);
  const attentionMask = g.input('attention_mask', 'int64', ['batch', 'seq']);
  const labels = g.input('labels', 'int64', ['batch', 'seq']);
  const weights = new WeightResolver(g, model, plan, options.loraForm ?? 'branch');
  const dims = sequenceDims(g, inputIds);
  const decoder = g.scope('model', () =>
    buildDecoder(g, model, weights, { inputIds, attentionMask, dims }, options.fused ?? false),
  );
  const h = decoder.hidden;
  const headRef = model.layout.global.lmHead;
  if (!headRef)
    throw new Error('graph: the model layout has no lmHead (a tied model points it at the embedding)');
  const head = weights.stored(headRef);

  const predicting = g.slice(h, 1, 0, -1); // positions 0..T−2 predict 1..T−1
  const logits = headLogits(g, predicting, head, dims, hidden, vocab);
  const parts = maskedCrossEntropy(g, logits, labels, dims.seq);
  g.output(parts.loss, 'loss', 'float32', ['batch']);
  if (outputs.tokenCount) g.output(parts.tokenCount, 'token_count', 'float32', ['batch']);

  if (outputs.candidateLogits || outputs.lastLogits) {
    const position: Value = outputs.answerPos
      ? g.input('answer_pos', 'int64', ['batch'])
      : lastRealPosition(g, attentionMask);
    const last = g.op(
      'Gemm',
      [hiddenAt(g, h, position, dims, hidden), head],
      { transB: 1 },
      { name: 'answer_logits' },
    );
    if (outputs.lastLogits) g.output(last, 'last_logits', 'float32', ['batch', vocab]);
    if (outputs.candidateLogits) {
      const candidates = g.input('candidate_ids', 'int64', ['batch', 'candidates']);
      g.output(g.op('GatherElements', [last, candidates], { axis: 1 }), 'candidate_logits', 'float32', [
        'batch',
        'candidates',
      ]);
    }
  }
  if (outputs.hidden) g.output(h, 'hidden', 'float32', ['batch', 'seq', hidden]);
  if (outputs.hiddenGrad)
    g.output(hiddenGrad(g, logits, parts, head, vocab), 'hidden_grad', 'float32', ['batch', 'seq', hidden]);
  if (outputs.keyValues) {
    const { layers, kvHeads, headDim } = model.config;
    const stacked = g.scope('key_values', () =>
      g.concat(
        decoder.keyValues.flatMap(({ key, value }) => [g.unsqueeze(key, [1]), g.unsqueeze(value, [1])]),
        1,
      ),
    );
    g.output(stacked, 'key_values', 'float32', ['batch', layers * 2, kvHeads, 'seq', headDim]);
  }
  return { graph: g, plan };
}
