// How each family stores its linear weights. nn.Linear (Llama, OPT) stores [out, in] and computes x·Wᵀ;
// GPT-2's Conv1D stores [in, out] and computes x·W. PEFT adapters (lora_A [r, in], lora_B [out, r]) are
// defined on in/out, so both the PEFT plan and the graph need this one fact.
import type { Family } from '../models/types.ts';

export type LinearStorage = 'out_in' | 'in_out';

export function linearStorage(family: Family): LinearStorage {
  return family === 'gpt2' ? 'in_out' : 'out_in';
}

export function linearDims(family: Family, storedShape: readonly number[]): { in: number; out: number } {
  const [rows, cols] = storedShape;
  if (rows === undefined || cols === undefined || storedShape.length !== 2) {
    throw new Error(`peft: a linear weight must be 2-D, got shape [${storedShape.join(', ')}]`);
  }
  return linearStorage(family) === 'in_out' ? { in: rows, out: cols } : { in: cols, out: rows };
}
