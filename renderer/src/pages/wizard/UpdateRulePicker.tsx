// The update rule of step 4: how each step turns the estimator's ĝ into a parameter change (the run
// config's `optimizer`), each rule with its help, its settings and what it costs per step.
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect } from 'react';
import type { UpdateRuleInfo } from '../../../../core/api/domains/estimators.ts';
import { useCall } from '../../api/api-context.tsx';
import { ChoiceCard } from './ChoiceCard.tsx';
import { ChoiceGrid } from './ChoiceGrid.tsx';
import { SettingFields, defaultsOf, type Settings } from './SettingFields.tsx';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

/** The optimizer state a rule keeps, which costs memory like that many copies of the trainables. */
function stateNote(rule: UpdateRuleInfo): string | undefined {
  const floats = rule.stateFloatsPerParam;
  if (floats === 0) return undefined;
  return `Keeps ${floats === 1 ? 'one copy' : `${floats} copies`} of the trainable parameters as state.`;
}

/** "Each step costs 5 forward passes: 2 for the estimate + 3 for ZO-SGD-Cons." */
function stepCost(rule: UpdateRuleInfo, estimatorPasses: number): string {
  const extra = rule.extraForwardPassesPerStep;
  const total = estimatorPasses + extra;
  return extra > 0
    ? `Each step costs ${total} forward passes: ${estimatorPasses} for the estimate + ${extra} for ${rule.name}.`
    : `Each step costs ${total} forward passes, all for the estimate: ${rule.name} adds none.`;
}

export function UpdateRulePicker({
  draft,
  update,
  estimatorPassesPerStep,
}: {
  draft: WizardDraft;
  update: UpdateDraft;
  /** The chosen estimator's forward passes per step, to show the step's total. */
  estimatorPassesPerStep: number | null;
}) {
  const list = useCall('estimators.updateRules', {});
  const selectedId = draft.config.optimizer?.id ?? 'zo-sgd';
  const settings: Settings = draft.config.optimizer?.settings ?? {};
  const selected = list.data?.updateRules.find((rule) => rule.id === selectedId) ?? null;
  const choose = (id: string, next: Settings) =>
    update((d) => withConfig(d, { optimizer: { id, settings: next } }));

  // The default rule starts with its defaults spelled out, as a click would give it (Review shows them).
  const hasSettings = Object.keys(settings).length > 0;
  useEffect(() => {
    if (selected && !hasSettings && selected.fields.length) choose(selected.id, defaultsOf(selected.fields));
  }, [selected, hasSettings]); // choose is re-created each render; these two decide when it runs

  return (
    <Stack spacing={2} component="section" aria-label="update rule">
      <ChoiceGrid
        title="Update rule"
        description="How each step turns the estimate into a parameter change."
        error={list.error}
        items={list.data?.updateRules}
        renderCard={(rule) => (
          <ChoiceCard
            title={rule.name}
            chip={
              rule.extraForwardPassesPerStep > 0
                ? `+${rule.extraForwardPassesPerStep} FP/step`
                : 'no extra FP'
            }
            footnote={stateNote(rule)}
            summary={rule.summary}
            paper={rule.paper}
            isSelected={rule.id === selectedId}
            onPick={() => choose(rule.id, defaultsOf(rule.fields))}
            ariaLabel={`update rule ${rule.name}`}
            dataAttributes={{ 'data-update-rule': rule.id }}
          />
        )}
      />
      {selected ? (
        <Stack spacing={2}>
          {estimatorPassesPerStep !== null ? (
            <Typography variant="body2" color="text.secondary" data-step-cost>
              {stepCost(selected, estimatorPassesPerStep)}
            </Typography>
          ) : null}
          {selected.fields.length ? (
            <SettingFields
              fields={selected.fields}
              settings={settings}
              onChange={(next) => choose(selected.id, next)}
              owner={selected.name}
            />
          ) : (
            <Typography variant="body2" color="text.secondary">
              {selected.name} has no settings.
            </Typography>
          )}
        </Stack>
      ) : null}
    </Stack>
  );
}
