// A typed path with a Browse button; the backend checks the path (files.check) as the user types.
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import { useEffect, useState } from 'react';
import { useApi } from '../api/api-context.tsx';
import { DirectoryBrowserDialog } from './DirectoryBrowserDialog.tsx';

export interface PathFieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  pick: 'file' | 'dir' | 'any';
  placeholder?: string;
  helperText?: string;
  /** Values that are not paths (e.g. `hf:owner/name`) skip the existence check. */
  isRemote?: (value: string) => boolean;
}

export function PathField({
  label,
  value,
  onChange,
  pick,
  placeholder,
  helperText,
  isRemote,
}: PathFieldProps) {
  const api = useApi();
  const [isBrowsing, setIsBrowsing] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    if (!value || isRemote?.(value)) return setProblem(null);
    let isCurrent = true;
    const timer = setTimeout(() => {
      api.call('files.check', { path: value, expect: pick }).then(
        (check) => isCurrent && setProblem(check.ok ? null : check.message),
        (error: Error) => isCurrent && setProblem(error.message),
      );
    }, 250);
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
  }, [api, value, pick, isRemote]);

  return (
    <Stack sx={{ alignItems: 'flex-start' }} direction="row" spacing={1}>
      <TextField
        label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        placeholder={placeholder}
        error={problem !== null}
        helperText={problem ?? helperText}
        fullWidth
      />
      <Button variant="outlined" onClick={() => setIsBrowsing(true)} sx={{ flexShrink: 0, height: 40 }}>
        Browse…
      </Button>
      <DirectoryBrowserDialog
        open={isBrowsing}
        pick={pick === 'dir' ? 'dir' : 'file'}
        onClose={() => setIsBrowsing(false)}
        onPick={(path) => {
          onChange(path);
          setIsBrowsing(false);
        }}
      />
    </Stack>
  );
}
