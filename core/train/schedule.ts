// Learning-rate schedules: linear warm-up from 0, then constant, linear or cosine decay to
// `finalRatio` × the base rate at the last step. A pure function of the step, so a resumed run
// gets the same rates without storing any schedule state.
import type { Schedule } from './config.ts';

export function learningRate(schedule: Schedule, baseLr: number, step: number, totalSteps: number): number {
  const { kind, warmupSteps, finalRatio } = schedule;
  // Step 0 of a warm-up already moves: (step + 1) / warmupSteps reaches the base rate at warmupSteps − 1.
  if (step < warmupSteps) return (baseLr * (step + 1)) / warmupSteps;
  if (kind === 'constant') return baseLr;
  const decaySteps = Math.max(1, totalSteps - warmupSteps - 1);
  const progress = Math.min(1, (step - warmupSteps) / decaySteps);
  const finalLr = baseLr * finalRatio;
  const shape = kind === 'linear' ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
  return finalLr + (baseLr - finalLr) * shape;
}
