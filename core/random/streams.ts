// Stream ids: the third Philox counter word. Each kind of random object draws from its own stream, so
// adding or skipping one draw never shifts another (the reference LOZO code's stale-U bug came from
// drawing V and U from one sequential generator; see docs estimators.md §4 Open b).
export const Stream = {
  /** Full-tensor perturbation z (MeZO, n-SPSA, PseuZO, SVRG; non-matrix tensors of LOZO/SubZero). */
  direction: 1,
  /** LOZO's per-step left factor U and SubZero's left basis U. */
  lowRankU: 2,
  /** LOZO's lazily resampled right factor V and SubZero's right basis V. */
  lowRankV: 3,
  /** SubZero's per-step r×r core Z. */
  lowRankZ: 4,
  /** Rows of orthogonal / interpolation direction blocks. */
  directionBlock: 5,
  /** The run-level seed sequence (one seed per step). */
  seedSequence: 6,
} as const;

export type StreamId = (typeof Stream)[keyof typeof Stream];
