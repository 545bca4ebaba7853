// The wizard's working copy of a run config, in core/train's RunConfig input shape, plus what the
// steps learned on the way (model facts for the cost estimates). Defaults follow MeZO's LoRA setup.
import type { RunConfigInput } from '../../../../core/api/domains/training.ts';
import type { ModelInfo } from '../../../../core/api/domains/models.ts';

export interface WizardDraft {
  config: RunConfigInput & { data: NonNullable<RunConfigInput['data']> };
  model: ModelInfo | null;
}

export const initialDraft: WizardDraft = {
  config: {
    model: '',
    data: { train: '' },
    peft: { mode: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] },
    estimator: { id: 'mezo', settings: {} },
    optimizer: { id: 'zo-sgd', settings: {} },
    lr: 1e-4,
    budget: { steps: 200 },
    batchSize: 16,
    eval: { everySteps: 20, rows: 100 },
    seed: 0,
    ep: 'cpu',
  },
  model: null,
};

export type UpdateDraft = (change: (draft: WizardDraft) => WizardDraft) => void;

/** Patch config fields shallowly; nested objects are replaced by the caller. */
export function withConfig(draft: WizardDraft, patch: Partial<WizardDraft['config']>): WizardDraft {
  return { ...draft, config: { ...draft.config, ...patch } };
}

// The starter hands its downloads to the wizard through sessionStorage (survives the hash navigation).
const starterKey = 'zo-starter-draft';

export function saveStarterDraft(modelDir: string, trainFile: string): void {
  sessionStorage.setItem(starterKey, JSON.stringify({ modelDir, trainFile }));
}

export function takeStarterDraft(): WizardDraft {
  const saved = sessionStorage.getItem(starterKey);
  if (!saved) return initialDraft;
  sessionStorage.removeItem(starterKey);
  const { modelDir, trainFile } = JSON.parse(saved) as { modelDir: string; trainFile: string };
  return withConfig(initialDraft, {
    model: modelDir,
    data: { ...initialDraft.config.data, train: trainFile, task: 'sst2' },
  });
}
