// A titled set of choice cards (step 4's estimators and update rules): heading, one line on what the
// choice decides, the listing's error if it failed, and one card per item in a responsive grid.
import Grid from '@mui/material/Grid';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';

export function ChoiceGrid<T extends { id: string }>({
  title,
  description,
  error,
  items,
  renderCard,
}: {
  title: string;
  description: string;
  error: Error | null;
  items: readonly T[] | undefined;
  renderCard: (item: T) => ReactNode;
}) {
  return (
    <>
      <div>
        <Typography variant="h6">{title}</Typography>
        <Typography variant="body2" color="text.secondary">
          {description}
        </Typography>
      </div>
      <ErrorAlert error={error} title={`${title}s`} />
      <Grid container spacing={2}>
        {items?.map((item) => (
          <Grid key={item.id} size={{ xs: 12, md: 6, lg: 4 }}>
            {renderCard(item)}
          </Grid>
        ))}
      </Grid>
    </>
  );
}
