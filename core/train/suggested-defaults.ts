// Paper defaults for a new run: a run config that leaves out the learning rate or the estimator's ε
// gets the values its estimator suggests for the run's PEFT mode (the numbers the wizard fills in).
// Applied only when a run is created: the stored config then holds the values, so resume and fork
// re-validate exactly what ran instead of picking up a suggestion that changed since.
import { estimatorInfo, findEstimator } from '../estimators/registry.ts';
import { isPlainObject, RunConfigError, RunConfigSchema } from './config.ts';

export interface SuggestedDefaults {
  estimator: string;
  peftMode: string;
  /** The settings that were missing and what they were set to. */
  applied: { lr?: number; eps?: number };
  /** Where the suggestion comes from (paper table, repo script, measurement). */
  source: string;
}

/**
 * `input` with a missing `lr` and estimator `eps` filled from the estimator's suggestion; `defaults`
 * says what was filled (null when nothing was). Input that is not an object, or whose PEFT or
 * estimator section is malformed, is returned as is for the config parser to report.
 */
export function withSuggestedDefaults(
  input: unknown,
  source: string,
): { input: unknown; defaults: SuggestedDefaults | null } {
  if (!isPlainObject(input)) return { input, defaults: null };
  // The sections' own schemas supply their defaults (peft lora, estimator mezo): one source of truth.
  const peft = RunConfigSchema.shape.peft.safeParse(input.peft);
  const estimator = RunConfigSchema.shape.estimator.safeParse(input.estimator);
  if (!peft.success || !estimator.success) return { input, defaults: null };

  const definition = findEstimator(estimator.data.id);
  const mode = peft.data.mode;
  const suggestion = definition.suggested[mode];
  const needsLr = input.lr === undefined;
  const hasEps = 'eps' in estimatorInfo(definition).defaults;
  const needsEps = hasEps && estimator.data.settings.eps === undefined;
  if (needsLr && !suggestion) {
    const modes = Object.keys(definition.suggested);
    throw new RunConfigError(
      source,
      `no learning rate given, and estimator ${definition.id} has no suggested one for ${mode} runs ` +
        `(it has suggestions for: ${modes.length ? modes.join(', ') : 'no PEFT mode'}); set "lr" (--lr)`,
    );
  }
  if (!suggestion || (!needsLr && !needsEps)) return { input, defaults: null };

  const applied: SuggestedDefaults['applied'] = {};
  const completed: Record<string, unknown> = { ...input };
  if (needsLr) completed.lr = applied.lr = suggestion.lr;
  if (needsEps) {
    applied.eps = suggestion.eps;
    const section = isPlainObject(input.estimator) ? input.estimator : {};
    const settings = isPlainObject(section.settings) ? section.settings : {};
    completed.estimator = { ...section, settings: { ...settings, eps: suggestion.eps } };
  }
  return {
    input: completed,
    defaults: { estimator: definition.id, peftMode: mode, applied, source: suggestion.source },
  };
}

/** One line for the run's notices: `lr 0.0001 and eps 0.01 not given: mezo's suggestion for lora runs (…)`. */
export function describeSuggestedDefaults(defaults: SuggestedDefaults): string {
  const values = Object.entries(defaults.applied).map(([name, value]) => `${name} ${value}`);
  return (
    `${values.join(' and ')} not given: using ${defaults.estimator}'s suggestion for ` +
    `${defaults.peftMode} runs (${defaults.source})`
  );
}
