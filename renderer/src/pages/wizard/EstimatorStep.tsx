// Step 4: the gradient estimator, each explained in a sentence, with the paper's defaults as presets.
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useEffect } from 'react';
import type { EstimatorInfo } from '../../../../core/api/domains/estimators.ts';
import { useCall } from '../../api/api-context.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

type Settings = Record<string, unknown>;

function defaultsOf(estimator: EstimatorInfo): Settings {
  return Object.fromEntries(estimator.fields.map((field) => [field.name, field.default]));
}

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
    const next = defaultsOf(estimator);
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
      <ErrorAlert error={list.error} title="Estimators" />
      <Grid container spacing={2}>
        {list.data?.estimators.map((estimator) => (
          <Grid key={estimator.id} size={{ xs: 12, md: 6, lg: 4 }}>
            <Card
              sx={{
                height: '100%',
                borderColor: estimator.id === selectedId ? 'primary.main' : undefined,
                borderWidth: estimator.id === selectedId ? 2 : 1,
              }}
            >
              <CardActionArea
                sx={{ height: '100%', alignItems: 'flex-start' }}
                onClick={() => pick(estimator)}
                aria-label={`estimator ${estimator.name}`}
                data-estimator={estimator.id}
              >
                <CardContent>
                  <Stack sx={{ alignItems: 'center', justifyContent: 'space-between' }} direction="row">
                    <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
                      {estimator.name}
                    </Typography>
                    <Chip size="small" label={`${estimator.forwardPassesPerStep} FP/step`} />
                  </Stack>
                  <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
                    {estimator.summary}
                  </Typography>
                  <Typography variant="caption" color="text.secondary">
                    {estimator.paper}
                  </Typography>
                </CardContent>
              </CardActionArea>
            </Card>
          </Grid>
        ))}
      </Grid>
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
          <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
            {selected.fields.map((field) => (
              <TextField
                key={field.name}
                label={field.name}
                helperText={field.help}
                value={String(settings[field.name] ?? field.default)}
                onChange={(event) => {
                  const raw = event.target.value;
                  const value =
                    typeof field.default === 'number' && raw.trim() !== '' && !Number.isNaN(Number(raw))
                      ? Number(raw)
                      : raw;
                  choose(selected.id, { ...settings, [field.name]: value });
                }}
                sx={{ width: 260 }}
              />
            ))}
          </Stack>
        </Stack>
      ) : null}
    </Stack>
  );
}
