// The update rules through the API, as the wizard uses them: estimators.updateRules lists core/optim's
// table; training.start and training.estimate refuse a wrong rule id or setting with invalid_request
// naming the config field; the Review step's memory estimate counts the rule's state.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall } from '../../core/api/dispatch.ts';
import type { Handlers } from '../../core/api/methods.ts';
import { listUpdateRules } from '../../core/optim/registry.ts';
import { startBackend, type Backend } from '../../core/server/start-backend.ts';
import { quickRun } from '../server/fixtures.ts';

let dataDir: string;
let handlers: Handlers;
let backend: Backend;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'zo-update-rules-'));
  backend = await startBackend(dataDir);
  ({ handlers } = backend);
});
afterAll(async () => {
  await backend.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The error a call answers with; fails the test if the call succeeded. */
async function refusal(method: 'training.start' | 'training.estimate', payload: unknown) {
  const result = await dispatchCall(handlers, method, payload);
  if (result.ok) throw new Error(`${method} accepted ${JSON.stringify(payload)}`);
  return result.error;
}

describe('update rules over the API', () => {
  it('lists every rule with its help, settings, defaults and extra forward passes', async () => {
    const result = await dispatchCall(handlers, 'estimators.updateRules', {});
    if (!result.ok) throw new Error(result.error.message);
    const { updateRules } = result.value as { updateRules: Record<string, unknown>[] };
    expect(updateRules.map((rule) => rule.id)).toEqual(listUpdateRules().map((rule) => rule.id));
    const byId = new Map(updateRules.map((rule) => [rule.id, rule]));
    expect(byId.get('zo-adam')).toMatchObject({
      name: expect.stringMatching(/adam/i),
      extraForwardPassesPerStep: 0,
      stateFloatsPerParam: 2,
      fields: [
        { name: 'beta1', default: 0.9, help: expect.stringContaining('β₁') },
        { name: 'beta2', default: 0.999 },
        { name: 'epsilon', default: 1e-8 },
        { name: 'weightDecay', default: 0 },
      ],
    });
    // ZO-SGD-Cons evaluates θ, θ − ηĝ and θ + ηĝ on the batch: three passes on top of the estimate.
    expect(byId.get('zo-sgd-cons')).toMatchObject({ extraForwardPassesPerStep: 3 });
    for (const rule of updateRules) expect(String(rule.summary).length, String(rule.id)).toBeGreaterThan(10);
  });

  it('refuses an unknown rule id, naming the field and the rules there are', async () => {
    const error = await refusal('training.start', quickRun({ optimizer: { id: 'zo-adamm', settings: {} } }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^optimizer: unknown update rule "zo-adamm"; expected one of: .*zo-adam\b/);
  });

  it('refuses a bad or unknown rule setting, naming the setting', async () => {
    const badBeta = quickRun({ optimizer: { id: 'zo-adam', settings: { beta1: 2 } } });
    for (const method of ['training.start', 'training.estimate'] as const) {
      const error = await refusal(method, badBeta);
      expect(error.code, method).toBe('invalid_request');
      expect(error.message, method).toMatch(/^optimizer: update rule zo-adam: invalid settings: beta1:/);
    }
    const typo = await refusal(
      'training.start',
      quickRun({ optimizer: { id: 'zo-sgd-momentum', settings: { betta: 0.9 } } }),
    );
    expect(typo.message).toMatch(/^optimizer: update rule zo-sgd-momentum: invalid settings: .*betta/);
    const estimator = await refusal('training.start', quickRun({ estimator: { id: 'nope', settings: {} } }));
    expect(estimator.message).toMatch(/^estimator: /);
    const { runs } = (await handlers['runs.list']({})) as { runs: unknown[] };
    expect(runs).toEqual([]); // nothing refused was recorded
  });

  // The step policy's passes in the estimate are checked in test/optim/zo-sgd-cons.test.ts.
  it("counts a rule's state in the Review estimate's memory", async () => {
    const estimate = async (id: string) => {
      const result = await dispatchCall(
        handlers,
        'training.estimate',
        quickRun({ optimizer: { id, settings: {} } }),
      );
      if (!result.ok) throw new Error(result.error.message);
      return result.value as {
        memoryBytes: number;
        trainableParameters: number;
        updateRuleStateBytes: number;
      };
    };
    expect((await estimate('zo-sgd')).updateRuleStateBytes).toBe(0);
    // ZO-Adam keeps m and v: two float32 copies of the trainables.
    const adam = await estimate('zo-adam');
    expect(adam.trainableParameters).toBeGreaterThan(0);
    expect(adam.updateRuleStateBytes).toBe(adam.trainableParameters * 2 * 4);
    expect(adam.memoryBytes).toBeGreaterThanOrEqual(adam.updateRuleStateBytes);
  });
});
