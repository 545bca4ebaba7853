import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';

export function StatTile({ label, value }: { label: string; value: string }) {
  return (
    <Paper sx={{ px: 2, py: 1.5, minWidth: 130, flex: 1 }}>
      <Typography variant="caption" color="text.secondary">
        {label}
      </Typography>
      <Typography variant="h6" component="p" data-stat={label}>
        {value}
      </Typography>
    </Paper>
  );
}
