// Step 5: budget (steps or forward passes), learning rate, batch, eval cadence, seed and device.
import FormControl from '@mui/material/FormControl';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

type Device = NonNullable<WizardDraft['config']['ep']>;

function NumberField({
  label,
  value,
  onChange,
  helperText,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  helperText?: string;
}) {
  return (
    <TextField
      label={label}
      type="number"
      value={Number.isFinite(value) ? value : ''}
      onChange={(event) => onChange(Number(event.target.value))}
      helperText={helperText}
      sx={{ width: 220 }}
      slotProps={{ htmlInput: { step: 'any' } }}
    />
  );
}

export function TrainingStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const { config } = draft;
  const budget = config.budget;
  const isSteps = 'steps' in budget;
  const budgetValue = isSteps ? budget.steps : budget.forwardPasses;
  const evalSettings = { everySteps: config.eval?.everySteps ?? 20, rows: config.eval?.rows ?? 100 };
  const set = (patch: Partial<WizardDraft['config']>) => update((d) => withConfig(d, patch));

  return (
    <Stack spacing={3}>
      <Stack sx={{ alignItems: 'center' }} direction="row" spacing={2}>
        <ToggleButtonGroup
          exclusive
          size="small"
          value={isSteps ? 'steps' : 'forwardPasses'}
          onChange={(_, unit: 'steps' | 'forwardPasses' | null) =>
            unit &&
            set({ budget: unit === 'steps' ? { steps: budgetValue } : { forwardPasses: budgetValue } })
          }
        >
          <ToggleButton value="steps">Steps</ToggleButton>
          <ToggleButton value="forwardPasses">Forward passes</ToggleButton>
        </ToggleButtonGroup>
        <NumberField
          label={isSteps ? 'Budget (steps)' : 'Budget (forward passes)'}
          value={budgetValue}
          onChange={(value) => set({ budget: isSteps ? { steps: value } : { forwardPasses: value } })}
          helperText="Forward passes are ZO's unit of cost"
        />
      </Stack>
      <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
        <NumberField
          label="Learning rate"
          value={config.lr}
          onChange={(lr) => set({ lr })}
          helperText="Set from the estimator's suggestion"
        />
        <NumberField
          label="Batch size"
          value={config.batchSize ?? 16}
          onChange={(batchSize) => set({ batchSize })}
        />
        <NumberField
          label="Evaluate every (steps)"
          value={evalSettings.everySteps}
          onChange={(everySteps) => set({ eval: { ...evalSettings, everySteps } })}
        />
        <NumberField
          label="Validation rows"
          value={evalSettings.rows}
          onChange={(rows) => set({ eval: { ...evalSettings, rows } })}
        />
        <NumberField label="Seed" value={config.seed ?? 0} onChange={(seed) => set({ seed })} />
      </Stack>
      <FormControl sx={{ width: 220 }}>
        <InputLabel id="device-label">Device</InputLabel>
        <Select
          labelId="device-label"
          label="Device"
          value={config.ep ?? 'cpu'}
          onChange={(event) => set({ ep: event.target.value as Device })}
        >
          <MenuItem value="auto">Auto (best available)</MenuItem>
          <MenuItem value="cpu">CPU</MenuItem>
          <MenuItem value="webgpu">WebGPU</MenuItem>
          <MenuItem value="cuda">CUDA</MenuItem>
        </Select>
      </FormControl>
    </Stack>
  );
}
