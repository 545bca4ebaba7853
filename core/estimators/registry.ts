// The one table of gradient estimators. The CLI (`zo-studio estimators`), the wizard and the training
// loop read it; `createEstimator` is the only way to build one from user settings, so every setting is
// validated (with the field named in the error) before a run starts.
import type { EstimatorDefinition, PeftMode, Suggestion } from './definition.ts';
import { interpolation } from './interpolation/interpolation.ts';
import { lozoM } from './lozo-m/lozo-m.ts';
import { lozo } from './lozo/lozo.ts';
import { mezoSvrg } from './mezo-svrg/mezo-svrg.ts';
import { mezo } from './mezo/mezo.ts';
import { orthogonal } from './orthogonal/orthogonal.ts';
import { pseuzo } from './pseuzo/pseuzo.ts';
import { subzero } from './subzero/subzero.ts';
import { describeSettings, parseSettings, type SettingInfo, type SettingValue } from './settings.ts';
import type { Estimator } from './types.ts';

// Each definition is typed by its own config; the table erases that to the common shape.
export const ESTIMATORS = [mezo, orthogonal, interpolation, lozo, lozoM, subzero, pseuzo, mezoSvrg].map(
  (definition) => definition as unknown as EstimatorDefinition,
);

/** One registry row as plain data (CLI --json, API, wizard). */
export interface EstimatorInfo {
  id: string;
  name: string;
  paper: string;
  help: string;
  forward_passes_per_step: number;
  defaults: Record<string, SettingValue>;
  fields: SettingInfo[];
  presets: { name: string; values: Record<string, SettingValue> }[];
  suggested: Partial<Record<PeftMode, Suggestion>>;
}

export function estimatorInfo(definition: EstimatorDefinition): EstimatorInfo {
  const defaults = definition.schema.parse({}) as Record<string, SettingValue>;
  return {
    id: definition.id,
    name: definition.name,
    paper: definition.paper,
    help: definition.help,
    forward_passes_per_step: definition.forwardPassesPerStep(defaults),
    defaults,
    fields: describeSettings(definition.schema),
    presets: definition.presets as EstimatorInfo['presets'],
    suggested: definition.suggested,
  };
}

export function listEstimators(): EstimatorInfo[] {
  return ESTIMATORS.map(estimatorInfo);
}

export function findEstimator(id: string): EstimatorDefinition {
  const definition = ESTIMATORS.find((d) => d.id === id);
  if (!definition) {
    throw new Error(`unknown estimator "${id}"; expected one of: ${ESTIMATORS.map((d) => d.id).join(', ')}`);
  }
  return definition;
}

/** Builds an estimator from user settings (missing fields take their defaults, unknown ones are errors). */
export function createEstimator(id: string, settings: unknown = {}): Estimator<unknown> {
  const definition = findEstimator(id);
  return definition.create(parseSettings('estimator', id, definition.schema, settings));
}
