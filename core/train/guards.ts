// Guards that end a run early. Both are pure functions of plain-data state, so their state rides in
// the checkpoint and a resumed run stops exactly where the uninterrupted one would.

/** Why a train loss means the run has diverged, or null when it is fine. */
export function divergenceReason(trainLoss: number, baselineLoss: number, lossFactor: number): string | null {
  if (!Number.isFinite(trainLoss)) {
    return `train loss became ${trainLoss}: the run diverged (try a smaller lr or eps)`;
  }
  const limit = lossFactor * Math.abs(baselineLoss);
  if (trainLoss > limit) {
    return (
      `train loss ${trainLoss.toPrecision(5)} exceeds ${lossFactor}× the baseline loss ` +
      `${baselineLoss.toPrecision(5)}: the run diverged (try a smaller lr or eps)`
    );
  }
  return null;
}

export interface EarlyStoppingState {
  bestLoss: number | null;
  evalsWithoutImprovement: number;
}

export const initialEarlyStopping: EarlyStoppingState = { bestLoss: null, evalsWithoutImprovement: 0 };

/** Folds one validation loss into the state; the run stops once `shouldStop`. */
export function observeValidationLoss(
  state: EarlyStoppingState,
  loss: number,
  settings: { patience: number; minDelta: number },
): { state: EarlyStoppingState; shouldStop: boolean } {
  const improved = state.bestLoss === null || loss < state.bestLoss - settings.minDelta;
  const next: EarlyStoppingState = improved
    ? { bestLoss: loss, evalsWithoutImprovement: 0 }
    : { bestLoss: state.bestLoss, evalsWithoutImprovement: state.evalsWithoutImprovement + 1 };
  return { state: next, shouldStop: next.evalsWithoutImprovement >= settings.patience };
}
