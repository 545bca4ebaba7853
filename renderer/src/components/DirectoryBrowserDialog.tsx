// A folder/file picker backed by files.list on the backend (the sandboxed page has no file dialog).
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import List from '@mui/material/List';
import ListItemButton from '@mui/material/ListItemButton';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useCall } from '../api/api-context.tsx';
import { formatBytes } from '../format.ts';
import { ErrorAlert } from './ErrorAlert.tsx';

export interface DirectoryBrowserProps {
  open: boolean;
  pick: 'file' | 'dir';
  startPath?: string;
  onClose: () => void;
  onPick: (path: string) => void;
}

export function DirectoryBrowserDialog({ open, pick, startPath, onClose, onPick }: DirectoryBrowserProps) {
  const [path, setPath] = useState<string | undefined>(startPath || undefined);
  const listing = useCall('files.list', open ? (path ? { path } : {}) : null, `${open}:${path}`);
  const current = listing.data?.path;

  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm">
      <DialogTitle>{pick === 'dir' ? 'Choose a folder' : 'Choose a file'}</DialogTitle>
      <DialogContent dividers sx={{ p: 0, height: 420 }}>
        <Typography
          variant="caption"
          color="text.secondary"
          sx={{ px: 2, pt: 1, display: 'block', wordBreak: 'break-all' }}
        >
          {current ?? '…'}
        </Typography>
        <ErrorAlert error={listing.error} />
        <List dense>
          {listing.data?.parent ? (
            <ListItemButton onClick={() => setPath(listing.data?.parent ?? undefined)}>
              <ListItemText primary=".. (up)" />
            </ListItemButton>
          ) : null}
          {listing.data?.entries.map((entry) => (
            <ListItemButton
              key={entry.path}
              onClick={() =>
                entry.kind === 'dir' ? setPath(entry.path) : pick === 'file' && onPick(entry.path)
              }
            >
              <ListItemText
                primary={entry.kind === 'dir' ? `${entry.name}/` : entry.name}
                secondary={entry.kind === 'file' ? formatBytes(entry.sizeBytes) : null}
                slotProps={{
                  primary: {
                    sx: { color: entry.kind === 'file' && pick === 'dir' ? 'text.disabled' : undefined },
                  },
                }}
              />
            </ListItemButton>
          ))}
        </List>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Cancel</Button>
        {pick === 'dir' ? (
          <Button variant="contained" disabled={!current} onClick={() => current && onPick(current)}>
            Use this folder
          </Button>
        ) : null}
      </DialogActions>
    </Dialog>
  );
}
