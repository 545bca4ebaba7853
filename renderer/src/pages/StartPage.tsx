// First run: one click downloads a small recommended model and dataset from the Hub, then opens the
// wizard with them filled in. Offline, it says how to use local folders instead.
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { navigate } from '../app/route.ts';
import { DownloadProgress, useDownloadEvents } from '../components/DownloadProgress.tsx';
import { PageHeader } from '../components/PageHeader.tsx';
import { saveStarterDraft } from './wizard/draft.ts';

export const starterModelId = 'HuggingFaceTB/SmolLM2-135M';
export const starterDatasetId = 'stanfordnlp/sst2';

type Downloads = { model: string; dataset: string };

export function StartPage() {
  const api = useApi();
  const [downloads, setDownloads] = useState<Downloads | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const progress = useDownloadEvents();
  const model = downloads ? progress[downloads.model] : undefined;
  const dataset = downloads ? progress[downloads.dataset] : undefined;

  const startStarter = async () => {
    setFailure(null);
    try {
      const [modelDownload, datasetDownload] = await Promise.all([
        api.call('models.download', { id: starterModelId }),
        api.call('datasets.download', { source: `hf:${starterDatasetId}`, split: 'train' }),
      ]);
      setDownloads({ model: modelDownload.downloadId, dataset: datasetDownload.downloadId });
    } catch (error) {
      setFailure((error as Error).message);
    }
  };

  useEffect(() => {
    const failed = [model, dataset].find((event) => event?.state === 'failed');
    if (failed) return setFailure(failed.result ?? `${failed.what} download failed`);
    if (model?.state === 'done' && dataset?.state === 'done' && model.result && dataset.result) {
      saveStarterDraft(model.result, dataset.result);
      navigate({ page: 'new' });
    }
  }, [model, dataset]);

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Welcome to ZO Studio"
        subtitle="Fine-tune language models from forward passes alone: no gradients, inference-level memory."
      />
      <Stack direction={{ xs: 'column', md: 'row' }} spacing={2}>
        <Card sx={{ flex: 1 }}>
          <CardContent>
            <Typography variant="h6">Try it in one click</Typography>
            <Typography variant="body2" color="text.secondary" sx={{ my: 1.5 }}>
              Downloads {starterModelId} (135M parameters, about 270 MB) and the SST-2 sentiment dataset from
              the Hugging Face Hub, then opens the run wizard with both selected and MeZO + LoRA preset.
            </Typography>
            <Button
              variant="contained"
              onClick={() => void startStarter()}
              disabled={downloads !== null && !failure}
            >
              Download starter model and dataset
            </Button>
            {downloads ? (
              <Stack spacing={1.5} sx={{ mt: 2 }}>
                <Typography variant="caption">Model</Typography>
                <DownloadProgress progress={model} />
                <Typography variant="caption">Dataset</Typography>
                <DownloadProgress progress={dataset} />
              </Stack>
            ) : null}
            {failure ? (
              <Alert severity="warning" sx={{ mt: 2 }}>
                The download did not work ({failure}). Without internet access you can still train: put a
                Hugging Face model folder (config.json, *.safetensors, tokenizer.json) and a JSONL/CSV/Parquet
                dataset on this machine, then choose “Use local files” and pick them with Browse.
              </Alert>
            ) : null}
          </CardContent>
        </Card>
        <Card sx={{ flex: 1 }}>
          <CardContent>
            <Typography variant="h6">Use local files</Typography>
            <Typography variant="body2" color="text.secondary" sx={{ my: 1.5 }}>
              Pick a model folder and a dataset file on this machine. The wizard detects the dataset’s columns
              and task, reads the model’s architecture, and estimates memory and time before you start.
            </Typography>
            <Button variant="outlined" onClick={() => navigate({ page: 'new' })}>
              Open the run wizard
            </Button>
          </CardContent>
        </Card>
      </Stack>
    </Stack>
  );
}
