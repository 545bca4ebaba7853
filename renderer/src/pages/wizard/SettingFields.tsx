// The editable settings of an estimator or an update rule: one text field per setting, labelled by its
// name, its one-line help underneath. Input is kept as typed (so "1e-" can become "1e-8"); a number or
// boolean setting holding something else is flagged here, and the backend's check names it on Review.
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import type { SettingField } from '../../../../core/api/domains/estimators.ts';

export type Settings = Record<string, unknown>;

export function defaultsOf(fields: readonly SettingField[]): Settings {
  return Object.fromEntries(fields.map((field) => [field.name, field.default]));
}

/** The typed text as the setting's own type when it reads as one, else the raw text. */
function parseInput(field: SettingField, raw: string): unknown {
  const text = raw.trim();
  if (typeof field.default === 'number' && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (typeof field.default === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return raw;
}

function problemOf(field: SettingField, value: unknown): string | null {
  if (typeof field.default === 'number' && typeof value !== 'number') return 'expected a number';
  if (typeof field.default === 'boolean' && typeof value !== 'boolean') return 'expected true or false';
  return null;
}

export function SettingFields({
  fields,
  settings,
  onChange,
  owner,
}: {
  fields: readonly SettingField[];
  settings: Settings;
  onChange: (next: Settings) => void;
  /** Whose settings these are, for the fields' accessible names ("ZO-Adam beta1"). */
  owner: string;
}) {
  return (
    <Stack direction="row" spacing={2} useFlexGap sx={{ flexWrap: 'wrap' }}>
      {fields.map((field) => {
        const value = settings[field.name] ?? field.default;
        const problem = problemOf(field, value);
        return (
          <TextField
            key={field.name}
            label={field.name}
            helperText={problem ? `${problem} — ${field.help}` : field.help}
            error={problem !== null}
            value={String(value)}
            onChange={(event) =>
              onChange({ ...settings, [field.name]: parseInput(field, event.target.value) })
            }
            slotProps={{ htmlInput: { 'aria-label': `${owner} ${field.name}` } }}
            sx={{ width: 260 }}
          />
        );
      })}
    </Stack>
  );
}
