import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../core/train/config.ts';
import { describeSuggestedDefaults, withSuggestedDefaults } from '../../core/train/suggested-defaults.ts';

const base = { model: '/models/m', data: { train: 'train.jsonl' }, budget: { steps: 10 } };

describe('withSuggestedDefaults', () => {
  it("fills only what is missing, from the estimator's row for the PEFT mode", () => {
    const given = withSuggestedDefaults({ ...base, lr: 3e-3, peft: { mode: 'full' } }, 'run.json');
    expect(given.defaults).toMatchObject({ estimator: 'mezo', peftMode: 'full', applied: { eps: 1e-3 } });
    expect(parseRunConfig(given.input, 'run.json')).toMatchObject({
      lr: 3e-3,
      estimator: { id: 'mezo', settings: { eps: 1e-3 } },
    });

    const lozo = withSuggestedDefaults({ ...base, estimator: { id: 'lozo', settings: { rank: 2 } } }, 'x');
    expect(parseRunConfig(lozo.input, 'x')).toMatchObject({
      lr: 1e-3,
      estimator: { id: 'lozo', settings: { rank: 2, eps: 1e-2 } },
    });
    expect(describeSuggestedDefaults(lozo.defaults!)).toBe(
      "lr 0.001 and eps 0.01 not given: using lozo's suggestion for lora runs (estimators.md §10: stories260k LoRA)",
    );
  });

  it('leaves complete or malformed input alone and names what cannot be filled', () => {
    const complete = { ...base, lr: 1e-3, estimator: { id: 'mezo', settings: { eps: 1e-3 } } };
    expect(withSuggestedDefaults(complete, 'x')).toEqual({ input: complete, defaults: null });
    const badPeft = { ...base, peft: { mode: 'adapter' } };
    expect(withSuggestedDefaults(badPeft, 'x')).toEqual({ input: badPeft, defaults: null });
    expect(() => withSuggestedDefaults({ ...base, estimator: { id: 'adamw' } }, 'x')).toThrow(
      /unknown estimator "adamw"/,
    );
    expect(() =>
      withSuggestedDefaults({ ...base, estimator: { id: 'lozo' }, peft: { mode: 'prefix' } }, 'flags'),
    ).toThrow(
      /^flags: no learning rate given, and estimator lozo has no suggested one for prefix runs \(it has suggestions for: full, lora\)/,
    );
  });
});
