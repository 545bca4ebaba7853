// Prepares the independent export check that runs on the GPU machine (scripts/device/check.py): for
// each exported run it writes the exact validation batch and the per-example losses our engine gives
// for the base model, the base model + re-imported PEFT adapter, the merged HF folder and the merged
// ONNX file. check.py recomputes them with Hugging Face transformers + peft (PyTorch, CUDA) and
// onnxruntime, which this machine does not have.
//
// usage: tsx scripts/device/prepare.ts OUT_DIR CASE_DIR...   (each CASE_DIR holds base/ peft/ merged/ onnx/)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadModel } from '../../core/models/load.ts';
import { loadTokenizer } from '../../core/models/tokenizer.ts';
import { importPeftAdapter } from '../../core/peft/adapter-import.ts';
import { int64Tensor, Session } from '../../core/runtime/backend.ts';
import { Engine, type Batch } from '../../core/runtime/engine.ts';

const ROWS = 8;
const MAX_TOKENS = 64;

async function validationBatch(
  caseDir: string,
  dataFile: string,
): Promise<{ batch: Batch; rows: number[][] }> {
  const tokenizer = await loadTokenizer(path.join(caseDir, 'base'));
  const texts = readFileSync(dataFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, ROWS)
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const rows = texts.map((text) => tokenizer.encode(text, { addSpecialTokens: true }).slice(0, MAX_TOKENS));
  const seqLen = Math.max(...rows.map((r) => r.length));
  const pad = tokenizer.padId;
  const ids: bigint[] = [];
  const mask: bigint[] = [];
  const labels: bigint[] = [];
  for (const row of rows) {
    for (let t = 0; t < seqLen; t++) {
      const real = t < row.length;
      ids.push(BigInt(real ? row[t]! : pad));
      mask.push(real ? 1n : 0n);
      labels.push(real && t > 0 ? BigInt(row[t]!) : -100n);
    }
  }
  const batch: Batch = {
    batch: rows.length,
    seqLen,
    inputIds: BigInt64Array.from(ids),
    attentionMask: BigInt64Array.from(mask),
    labels: BigInt64Array.from(labels),
  };
  return { batch, rows };
}

async function engineLosses(modelDir: string, batch: Batch, adapterDir?: string): Promise<number[]> {
  const model = await loadModel(modelDir);
  const adapter = adapterDir ? importPeftAdapter(adapterDir, model) : undefined;
  const engine = await Engine.create(model, {
    ep: 'cpu',
    peft: adapter?.peft ?? { kind: 'none' },
    threads: 2,
  });
  try {
    const params = adapter ? adapter.params.map((p) => p.data) : [];
    return Array.from((await engine.forward(batch, params)).loss);
  } finally {
    await engine.dispose();
  }
}

async function onnxLosses(file: string, batch: Batch): Promise<number[]> {
  const session = await Session.open(file, { ep: 'cpu', threads: 2 });
  try {
    const dims = [batch.batch, batch.seqLen];
    const out = await session.run(
      {
        input_ids: int64Tensor(batch.inputIds, dims),
        attention_mask: int64Tensor(batch.attentionMask, dims),
        labels: int64Tensor(batch.labels, dims),
      },
      ['loss'],
    );
    return Array.from(out.loss!);
  } finally {
    await session.dispose();
  }
}

const [outDir, dataFile, ...caseDirs] = process.argv.slice(2);
if (!outDir || !dataFile || caseDirs.length === 0) {
  console.error('usage: tsx scripts/device/prepare.ts OUT_DIR DATA_JSONL CASE_DIR...');
  process.exit(2);
}
const cases = [];
for (const caseDir of caseDirs) {
  const { batch, rows } = await validationBatch(caseDir, dataFile);
  const toRows = (a: BigInt64Array) =>
    rows.map((_, i) => Array.from(a.subarray(i * batch.seqLen, (i + 1) * batch.seqLen), Number));
  cases.push({
    name: path.basename(caseDir),
    input_ids: toRows(batch.inputIds),
    attention_mask: toRows(batch.attentionMask),
    labels: toRows(batch.labels),
    losses: {
      base: await engineLosses(path.join(caseDir, 'base'), batch),
      adapter: await engineLosses(path.join(caseDir, 'base'), batch, path.join(caseDir, 'peft')),
      merged: await engineLosses(path.join(caseDir, 'merged'), batch),
      onnx: await onnxLosses(path.join(caseDir, 'onnx', 'model.onnx'), batch),
    },
  });
}
writeFileSync(path.join(outDir, 'expected.json'), JSON.stringify({ cases }, null, 1));
console.log(JSON.stringify(cases.map((c) => ({ name: c.name, losses: c.losses }))));
