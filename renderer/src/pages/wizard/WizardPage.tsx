// The new-run wizard: six steps over one draft config; Start hands it to training.start and opens
// the live dashboard of the new run.
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Step from '@mui/material/Step';
import StepLabel from '@mui/material/StepLabel';
import Stepper from '@mui/material/Stepper';
import { useCallback, useState } from 'react';
import { useApi } from '../../api/api-context.tsx';
import { navigate } from '../../app/route.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { DatasetStep } from './DatasetStep.tsx';
import { EstimatorStep } from './EstimatorStep.tsx';
import { ModelStep } from './ModelStep.tsx';
import { PeftStep } from './PeftStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { TrainingStep } from './TrainingStep.tsx';
import { initialDraft, type UpdateDraft, type WizardDraft } from './draft.ts';

const steps = [
  { label: 'Dataset', Component: DatasetStep, isReady: (d: WizardDraft) => d.config.data.train !== '' },
  { label: 'Model', Component: ModelStep, isReady: (d: WizardDraft) => d.model !== null },
  { label: 'PEFT', Component: PeftStep, isReady: () => true },
  { label: 'Estimator & update rule', Component: EstimatorStep, isReady: () => true },
  { label: 'Training', Component: TrainingStep, isReady: (d: WizardDraft) => d.config.lr > 0 },
  { label: 'Review', Component: ReviewStep, isReady: () => true },
] as const;

export function WizardPage({ initial = initialDraft }: { initial?: WizardDraft }) {
  const api = useApi();
  const [active, setActive] = useState(0);
  const [draft, setDraft] = useState<WizardDraft>(initial);
  const [startError, setStartError] = useState<Error | null>(null);
  const [isStarting, setIsStarting] = useState(false);
  const update: UpdateDraft = useCallback((change) => setDraft(change), []);
  const step = steps[active]!;
  const isLast = active === steps.length - 1;

  const start = () => {
    setIsStarting(true);
    setStartError(null);
    api.call('training.start', draft.config).then(
      ({ runId }) => navigate({ page: 'run', runId }),
      (error: Error) => {
        setStartError(error);
        setIsStarting(false);
      },
    );
  };

  return (
    <Box>
      <PageHeader
        title="New run"
        subtitle="Fine-tune a model with zeroth-order optimization: forward passes only."
      />
      <Stepper activeStep={active} sx={{ mb: 3 }}>
        {steps.map((s, index) => (
          <Step key={s.label} completed={index < active}>
            <StepLabel>{s.label}</StepLabel>
          </Step>
        ))}
      </Stepper>
      <Paper sx={{ p: 3 }}>
        <step.Component draft={draft} update={update} />
        <ErrorAlert error={startError} title="Start" />
        <Stack direction="row" sx={{ mt: 3, justifyContent: 'space-between' }}>
          <Button disabled={active === 0} onClick={() => setActive(active - 1)}>
            Back
          </Button>
          {isLast ? (
            <Button variant="contained" onClick={start} disabled={isStarting}>
              {isStarting ? 'Starting…' : 'Start training'}
            </Button>
          ) : (
            <Button variant="contained" disabled={!step.isReady(draft)} onClick={() => setActive(active + 1)}>
              Next
            </Button>
          )}
        </Stack>
      </Paper>
    </Box>
  );
}
