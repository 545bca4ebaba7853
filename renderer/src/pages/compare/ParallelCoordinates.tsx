// Parallel coordinates: one vertical axis per numeric setting that differs, plus the final metric;
// one polyline per run. Plain SVG: MUI X Charts has no parallel-coordinates chart.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { formatNumber } from '../../format.ts';

export interface ParallelAxis {
  name: string;
  values: (number | null)[];
}

const palette = ['#2456c7', '#c2611a', '#2e7d32', '#8e24aa', '#d81b60', '#00838f', '#6d4c41', '#546e7a'];

export function ParallelCoordinates({
  axes,
  runLabels,
  height = 260,
}: {
  axes: ParallelAxis[];
  runLabels: string[];
  height?: number;
}) {
  const theme = useTheme();
  if (axes.length < 2) {
    return (
      <Typography variant="body2" color="text.secondary">
        Parallel coordinates need at least one numeric setting that differs between the runs.
      </Typography>
    );
  }
  const width = Math.max(480, axes.length * 160);
  const top = 28;
  const bottom = height - 24;
  const xOf = (i: number) => 60 + (i * (width - 120)) / (axes.length - 1);
  const scales = axes.map((axis) => {
    const present = axis.values.filter((v): v is number => v !== null);
    const min = Math.min(...present);
    const max = Math.max(...present);
    return (v: number) =>
      max === min ? (top + bottom) / 2 : bottom - ((v - min) / (max - min)) * (bottom - top);
  });
  return (
    <Box sx={{ overflowX: 'auto' }}>
      <svg width={width} height={height} role="img" aria-label="parallel coordinates">
        {axes.map((axis, i) => {
          const present = axis.values.filter((v): v is number => v !== null);
          return (
            <g key={axis.name}>
              <line
                x1={xOf(i)}
                x2={xOf(i)}
                y1={top}
                y2={bottom}
                stroke={theme.palette.divider}
                strokeWidth={2}
              />
              <text x={xOf(i)} y={14} textAnchor="middle" fontSize={12} fill={theme.palette.text.primary}>
                {axis.name}
              </text>
              <text x={xOf(i) + 4} y={top + 4} fontSize={10} fill={theme.palette.text.secondary}>
                {formatNumber(Math.max(...present), 3)}
              </text>
              <text x={xOf(i) + 4} y={bottom} fontSize={10} fill={theme.palette.text.secondary}>
                {formatNumber(Math.min(...present), 3)}
              </text>
            </g>
          );
        })}
        {runLabels.map((label, run) => {
          const points = axes
            .map((axis, i) =>
              axis.values[run] === null ? null : `${xOf(i)},${scales[i]!(axis.values[run]!)}`,
            )
            .filter(Boolean)
            .join(' ');
          return (
            <polyline
              key={label}
              points={points}
              fill="none"
              stroke={palette[run % palette.length]}
              strokeWidth={2}
              opacity={0.85}
            >
              <title>{label}</title>
            </polyline>
          );
        })}
      </svg>
    </Box>
  );
}
