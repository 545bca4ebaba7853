import { describe, expect, it } from 'vitest';
import { applyOverrides, parseRunConfig } from '../../core/train/config.ts';

const minimal = { model: '/models/m', data: { train: 'train.jsonl' }, lr: 1e-3, budget: { steps: 10 } };

describe('parseRunConfig', () => {
  it('fills the documented defaults', () => {
    const config = parseRunConfig(minimal, 'run.json');
    expect(config.peft).toEqual({ mode: 'lora', rank: 8, alpha: 16 });
    expect(config.estimator).toEqual({ id: 'mezo', settings: {} });
    expect(config.data.task).toBe('lm');
    expect(config.schedule.kind).toBe('constant');
    expect(config.eval).toEqual({ everySteps: 50, rows: 100 });
  });

  it('names the source and the bad field', () => {
    expect(() => parseRunConfig({ ...minimal, lr: -1 }, 'run.json')).toThrow(
      /^run\.json: invalid run config[\s\S]*lr/,
    );
    expect(() => parseRunConfig({ ...minimal, peft: { mode: 'adapter' } }, 'flags')).toThrow(
      /flags:[\s\S]*peft/,
    );
  });

  it('rejects a budget in both steps and forward passes', () => {
    expect(() => parseRunConfig({ ...minimal, budget: { steps: 5, forwardPasses: 10 } }, 'x')).toThrow(
      /budget/,
    );
  });
});

describe('applyOverrides', () => {
  it('merges nested settings and replaces the budget whole', () => {
    const base = parseRunConfig({ ...minimal, estimator: { id: 'mezo', settings: { eps: 1e-3 } } }, 'base');
    const forked = applyOverrides(
      base,
      { lr: 5e-4, estimator: { settings: { n: 2 } }, budget: { forwardPasses: 40 } },
      'fork',
    );
    expect(forked.lr).toBe(5e-4);
    expect(forked.estimator).toEqual({ id: 'mezo', settings: { eps: 1e-3, n: 2 } });
    expect(forked.budget).toEqual({ forwardPasses: 40 });
    expect(forked.data).toEqual(base.data);
  });
});
