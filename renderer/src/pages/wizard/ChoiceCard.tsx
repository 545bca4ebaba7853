// One selectable card of the estimator and update-rule grids: name, cost per step, one-line help, paper.
import Card from '@mui/material/Card';
import CardActionArea from '@mui/material/CardActionArea';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';

export function ChoiceCard({
  title,
  chip,
  summary,
  footnote,
  paper,
  isSelected,
  onPick,
  ariaLabel,
  dataAttributes,
}: {
  title: string;
  /** The cost per step, top right. */
  chip: string;
  summary: string;
  /** An extra fact under the help (e.g. the memory a rule keeps). */
  footnote?: string;
  paper: string;
  isSelected: boolean;
  onPick: () => void;
  ariaLabel: string;
  /** `data-*` attributes the e2e tests select cards by. */
  dataAttributes: Record<`data-${string}`, string>;
}) {
  return (
    <Card
      sx={{
        height: '100%',
        borderColor: isSelected ? 'primary.main' : undefined,
        borderWidth: isSelected ? 2 : 1,
      }}
    >
      <CardActionArea
        sx={{ height: '100%', alignItems: 'flex-start' }}
        onClick={onPick}
        aria-label={ariaLabel}
        aria-pressed={isSelected}
        {...dataAttributes}
      >
        <CardContent>
          <Stack sx={{ alignItems: 'center', justifyContent: 'space-between' }} direction="row" spacing={1}>
            <Typography variant="subtitle1" sx={{ fontWeight: 600 }}>
              {title}
            </Typography>
            <Chip size="small" label={chip} />
          </Stack>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {summary}
          </Typography>
          {footnote ? (
            <Typography variant="body2" color="text.secondary" sx={{ fontStyle: 'italic' }}>
              {footnote}
            </Typography>
          ) : null}
          <Typography variant="caption" color="text.secondary">
            {paper}
          </Typography>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}
