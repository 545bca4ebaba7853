// The order training rows are visited in: each epoch a fresh seeded permutation, consumed batch by
// batch. Which rows step t sees is a pure function of (seed, rows, batch size, t), so a resumed run
// draws exactly the batches the uninterrupted run would have, with no position to store.
import { philox4x32, seedKey } from '../random/philox.ts';

/** Philox counter word for data order, far from core/random's small stream ids ('data' in ASCII). */
const DATA_ORDER_STREAM = 0x64617461;
const TWO_32 = 4294967296;

export class DataOrder {
  private readonly key: [number, number];
  private readonly words = new Uint32Array(4);
  private cachedEpoch = -1;
  private cachedPermutation = new Uint32Array(0);

  constructor(
    private readonly rowCount: number,
    private readonly batchSize: number,
    seed: number,
  ) {
    if (rowCount < 1) throw new Error('the training set is empty: no rows to train on');
    this.key = seedKey(seed);
  }

  /** Row indices of step `step`'s batch (wrapping into the next epoch when one runs out). */
  batch(step: number): number[] {
    const rows: number[] = [];
    for (let i = 0; i < this.batchSize; i++) {
      const position = step * this.batchSize + i;
      const epoch = Math.floor(position / this.rowCount);
      rows.push(this.permutation(epoch)[position % this.rowCount] as number);
    }
    return rows;
  }

  /** Fisher–Yates driven by Philox draws addressed by (epoch, swap index): no sequential state. */
  private permutation(epoch: number): Uint32Array {
    if (epoch === this.cachedEpoch) return this.cachedPermutation;
    const order = new Uint32Array(this.rowCount);
    for (let i = 0; i < order.length; i++) order[i] = i;
    for (let i = order.length - 1; i > 0; i--) {
      philox4x32(i, epoch, DATA_ORDER_STREAM, 0, this.key[0], this.key[1], this.words);
      // 53-bit uniform in [0, 1): unbiased enough for any realistic row count.
      const uniform = (((this.words[0] as number) >>> 11) * TWO_32 + (this.words[1] as number)) / 2 ** 53;
      const j = Math.floor(uniform * (i + 1));
      const swap = order[i] as number;
      order[i] = order[j] as number;
      order[j] = swap;
    }
    this.cachedEpoch = epoch;
    this.cachedPermutation = order;
    return order;
  }
}
