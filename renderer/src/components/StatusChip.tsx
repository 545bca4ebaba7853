import Chip from '@mui/material/Chip';
import type { RunStatus } from '../../../core/api/domains/runs.ts';

const colors: Record<RunStatus, 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info'> = {
  queued: 'default',
  running: 'primary',
  paused: 'warning',
  completed: 'success',
  cancelled: 'default',
  failed: 'error',
  interrupted: 'warning',
};

export function StatusChip({ status }: { status: RunStatus }) {
  return <Chip size="small" color={colors[status]} label={status} data-status={status} />;
}
