// Step 4: the gradient estimator, each explained in a sentence, with the paper's defaults as presets,
// and below it the update rule that applies the estimate.
import Button from '@mui/material/Button';
import Divider from '@mui/material/Divider';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect } from 'react';
import type { EstimatorInfo } from '../../../../core/api/domains/estimators.ts';
import { useCall } from '../../api/api-context.tsx';
import { ChoiceCard } from './ChoiceCard.tsx';
import { ChoiceGrid } from './ChoiceGrid.tsx';
import { SettingFields, defaultsOf, type Settings } from './SettingFields.tsx';
import { UpdateRulePicker } from './UpdateRulePicker.tsx';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

export function EstimatorStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const list = useCall('estimators.list', {});
  const selectedId = draft.config.estimator?.id ?? 'mezo';
  const settings: Settings = draft.config.estimator?.settings ?? {};
  const selected = list.data?.estimators.find((estimator) => estimator.id === selectedId) ?? null;
  const peftMode = draft.config.peft?.mode ?? 'lora';
  const choose = (id: string, next: Settings) =>
    update((d) => withConfig(d, { estimator: { id, settings: next } }));
  /** Picking an estimator applies its defaults and the lr/ε suggested for the chosen PEFT mode. */
  const pick = (estimator: EstimatorInfo) => {
    const suggestion = estimator.suggested[peftMode];
    const next = defaultsOf(estimator.fields);
    if (suggestion && 'eps' in next) next.eps = suggestion.eps;
    update((d) =>
      withConfig(d, {
        estimator: { id: estimator.id, settings: next },
        ...(suggestion ? { lr: suggestion.lr } : {}),
      }),
    );
  };
  const suggestion = selected?.suggested[peftMode];

  // The default estimator starts with the same defaults and suggestions a click would give it.
  const hasSettings = Object.keys(settings).length > 0;
  useEffect(() => {
    if (selected && !hasSettings) pick(selected);
  }, [selected, hasSettings]); // pick is re-created each render; these two decide when it runs

  return (
    <Stack spacing={2.5}>
      <ChoiceGrid
        title="Gradient estimator"
        description="How each step estimates the gradient from forward passes alone."
        error={list.error}
        items={list.data?.estimators}
        renderCard={(estimator) => (
          <ChoiceCard
            title={estimator.name}
            chip={`${estimator.forwardPassesPerStep} FP/step`}
            summary={estimator.summary}
            paper={estimator.paper}
            isSelected={estimator.id === selectedId}
            onPick={() => pick(estimator)}
            ariaLabel={`estimator ${estimator.name}`}
            dataAttributes={{ 'data-estimator': estimator.id }}
          />
        )}
      />
      {selected ? (
        <Stack spacing={2}>
          {suggestion ? (
            <Typography variant="body2" color="text.secondary">
              Suggested for {peftMode}: learning rate {suggestion.lr}, ε {suggestion.eps} ({suggestion.source}
              ).
            </Typography>
          ) : null}
          {selected.presets.length ? (
            <Stack sx={{ alignItems: 'center' }} direction="row" spacing={1}>
              <Typography variant="body2">Presets:</Typography>
              {selected.presets.map((preset) => (
                <Button
                  key={preset.name}
                  size="small"
                  variant="outlined"
                  onClick={() => choose(selected.id, { ...settings, ...preset.values })}
                >
                  {preset.name}
                </Button>
              ))}
            </Stack>
          ) : null}
          <SettingFields
            fields={selected.fields}
            settings={settings}
            onChange={(next) => choose(selected.id, next)}
            owner={selected.name}
          />
        </Stack>
      ) : null}
      <Divider />
      <UpdateRulePicker
        draft={draft}
        update={update}
        estimatorPassesPerStep={selected?.forwardPassesPerStep ?? null}
      />
    </Stack>
  );
}
