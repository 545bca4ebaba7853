// Every estimator lowers the validation loss of the real stories260k model on real text (full: every tensor)
// within a fixed budget of 120 forward passes on cpu (estimators.md §10's lr/ε; fewer passes and
// shorter sequences than §10 so the file runs in about a minute).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrainingSession } from '../../core/train/session.ts';
import { openSherlock, runWithinBudget, SHERLOCK_CASES } from './real-model.ts';

describe('estimators on stories260k / sherlock, full', () => {
  // PseuZO needs a session whose engine also emits hidden states and their gradient.
  let session: TrainingSession;
  let pseuzoSession: TrainingSession;
  beforeAll(async () => {
    session = await openSherlock('full');
    pseuzoSession = await openSherlock('full', { estimator: 'pseuzo' });
  });
  afterAll(async () => {
    await session.dispose();
    await pseuzoSession.dispose();
  });

  for (const { id, settings, lr } of SHERLOCK_CASES.full) {
    it(`${id} lowers validation loss within 120 forward passes`, async () => {
      const run = await runWithinBudget(id === 'pseuzo' ? pseuzoSession : session, id, settings, lr, 120, 1);
      expect(run.forwardPasses).toBeLessThanOrEqual(120);
      expect(run.forwardPasses).toBeGreaterThan(100);
      expect(run.after).toBeLessThan(run.before - 0.01);
    });
  }
});
