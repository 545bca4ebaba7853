// Step 3: what trains — LoRA, prefix or the full model — with settings and what each costs.
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import type { ModelInfo } from '../../../../core/api/domains/models.ts';
import { formatBytes, formatCount } from '../../format.ts';
import { withConfig, type UpdateDraft, type WizardDraft } from './draft.ts';

type Peft = NonNullable<WizardDraft['config']['peft']>;

const modes: { mode: Peft['mode']; title: string; text: string; initial: Peft }[] = [
  {
    mode: 'lora',
    title: 'LoRA',
    text: 'Low-rank adapters on the attention projections. Small, fast to perturb, exports as a PEFT adapter.',
    initial: { mode: 'lora', rank: 8, alpha: 16, targets: ['q_proj', 'v_proj'] },
  },
  {
    mode: 'prefix',
    title: 'Prefix tuning',
    text: 'Learned key/value vectors prepended to every layer. The fewest parameters; weaker on hard tasks.',
    initial: { mode: 'prefix', tokens: 5 },
  },
  {
    mode: 'full',
    title: 'Full model',
    text: 'Every weight trains. ZO needs no activations or gradients, so memory stays near inference.',
    initial: { mode: 'full' },
  },
];

/** Trainable parameters each mode adds, from the model's shape (LoRA counts A and B per target). */
export function trainableParameters(peft: Peft, model: ModelInfo | null): number | null {
  if (!model) return null;
  switch (peft.mode) {
    case 'lora':
      return model.layers * (peft.targets?.length ?? 2) * (peft.rank ?? 8) * 2 * model.hidden;
    case 'prefix':
      return model.layers * 2 * (peft.tokens ?? 5) * model.hidden;
    case 'full':
      return model.parameters;
  }
}

export function PeftStep({ draft, update }: { draft: WizardDraft; update: UpdateDraft }) {
  const peft: Peft = draft.config.peft ?? modes[0]!.initial;
  const setPeft = (next: Peft) => update((d) => withConfig(d, { peft: next }));

  return (
    <Stack spacing={2.5}>
      <Stack direction="row" spacing={2}>
        {modes.map((option) => {
          const count = trainableParameters(option.mode === peft.mode ? peft : option.initial, draft.model);
          return (
            <Card
              key={option.mode}
              sx={{
                flex: 1,
                borderColor: option.mode === peft.mode ? 'primary.main' : undefined,
                borderWidth: option.mode === peft.mode ? 2 : 1,
              }}
            >
              <CardActionArea
                onClick={() => option.mode !== peft.mode && setPeft(option.initial)}
                sx={{ height: '100%' }}
              >
                <CardContent>
                  <Typography variant="h6">{option.title}</Typography>
                  <Typography variant="body2" color="text.secondary" sx={{ my: 1 }}>
                    {option.text}
                  </Typography>
                  <Typography variant="body2">
                    {count === null
                      ? 'Pick a model to see the cost'
                      : `${formatCount(count)} trainable · ${formatBytes(count * 4)} of fp32 state`}
                  </Typography>
                </CardContent>
              </CardActionArea>
            </Card>
          );
        })}
      </Stack>
      {peft.mode === 'lora' ? (
        <Stack direction="row" spacing={2}>
          <TextField
            label="Rank r"
            type="number"
            value={peft.rank ?? 8}
            onChange={(event) => setPeft({ ...peft, rank: Number(event.target.value) })}
          />
          <TextField
            label="Alpha"
            type="number"
            value={peft.alpha ?? 16}
            onChange={(event) => setPeft({ ...peft, alpha: Number(event.target.value) })}
          />
          <TextField
            label="Target modules"
            value={(peft.targets ?? []).join(', ')}
            onChange={(event) =>
              setPeft({
                ...peft,
                targets: event.target.value
                  .split(',')
                  .map((t) => t.trim())
                  .filter(Boolean),
              })
            }
            sx={{ flex: 1 }}
          />
        </Stack>
      ) : null}
      {peft.mode === 'prefix' ? (
        <TextField
          label="Virtual tokens"
          type="number"
          value={peft.tokens ?? 5}
          onChange={(event) => setPeft({ ...peft, tokens: Number(event.target.value) })}
          sx={{ maxWidth: 200 }}
        />
      ) : null}
    </Stack>
  );
}
