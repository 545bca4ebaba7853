// Shows an error from an API call (its message names the file/field/run at fault).
import Alert from '@mui/material/Alert';

export function ErrorAlert({ error, title }: { error: Error | null; title?: string }) {
  if (!error) return null;
  return (
    <Alert severity="error" sx={{ my: 1 }}>
      {title ? <strong>{title}: </strong> : null}
      {error.message}
    </Alert>
  );
}
