// The order training rows are visited in: each epoch a fresh seeded permutation, consumed batch by
// batch. Which rows step t sees is a pure function of (seed, rows, batch size, t), so a resumed run
// draws exactly the batches the uninterrupted run would have, with no position to store.
import { seededPermutation } from '../data/k-shot.ts';
import { philox4x32, seedKey } from '../random/philox.ts';

/** Philox counter word for epoch keys ('data' in ASCII, far from core/random's small stream ids). */
const EPOCH_KEY_STREAM = 0x64617461;

export class DataOrder {
  private cachedEpoch = -1;
  private cachedPermutation: Uint32Array = new Uint32Array(0);

  constructor(
    private readonly rowCount: number,
    private readonly batchSize: number,
    private readonly seed: number,
  ) {
    if (rowCount < 1) throw new Error('the training set is empty: no rows to train on');
    seedKey(seed); // validates the seed now rather than at the first batch
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

  private permutation(epoch: number): Uint32Array {
    if (epoch !== this.cachedEpoch) {
      this.cachedPermutation = seededPermutation(this.rowCount, epochKey(this.seed, epoch));
      this.cachedEpoch = epoch;
    }
    return this.cachedPermutation;
  }
}

/** A well-mixed 53-bit key per (run seed, epoch): seed + epoch would let runs 7 and 8 share orders. */
function epochKey(seed: number, epoch: number): number {
  const [k0, k1] = seedKey(seed);
  const words = new Uint32Array(4);
  philox4x32(epoch, 0, EPOCH_KEY_STREAM, 0, k0, k1, words);
  return ((words[0] as number) >>> 11) * 2 ** 32 + (words[1] as number);
}
