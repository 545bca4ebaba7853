// Shows an API error with its code; "not available" reads as a notice, not a crash.
import Alert from '@mui/material/Alert';
import { ApiError } from '../../../core/api/errors.ts';

export function ErrorAlert({ error, title }: { error: Error | null; title?: string }) {
  if (!error) return null;
  const isNotAvailable = error instanceof ApiError && error.code === 'not_available';
  return (
    <Alert severity={isNotAvailable ? 'info' : 'error'} sx={{ my: 1 }}>
      {title ? <strong>{title}: </strong> : null}
      {error.message}
    </Alert>
  );
}
