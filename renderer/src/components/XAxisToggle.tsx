// The step / forward passes / wall time switch above run charts (run dashboard and compare page).
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import type { XAxis } from '../../../core/api/domains/runs.ts';
import { xAxisLabels } from '../pages/run-history.ts';

export function XAxisToggle({ axis, onChange }: { axis: XAxis; onChange: (axis: XAxis) => void }) {
  return (
    <ToggleButtonGroup
      size="small"
      exclusive
      value={axis}
      // MUI reports null when the selected button is clicked again; keep the current axis then.
      onChange={(_, next: XAxis | null) => next && onChange(next)}
      aria-label="x axis"
    >
      {(Object.keys(xAxisLabels) as XAxis[]).map((key) => (
        <ToggleButton key={key} value={key}>
          {xAxisLabels[key]}
        </ToggleButton>
      ))}
    </ToggleButtonGroup>
  );
}
