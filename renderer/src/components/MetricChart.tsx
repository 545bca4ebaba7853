// Line chart of several series that may have different x values (train loss every step, eval loss
// every N steps, several runs): x values are merged and gaps bridged with connectNulls.
import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { ChartsReferenceLine } from '@mui/x-charts/ChartsReferenceLine';
import { LineChart } from '@mui/x-charts/LineChart';
import { formatNumber } from '../format.ts';

export interface ChartSeries {
  label: string;
  points: { x: number; y: number }[];
  /** Dashed for eval curves so they read apart from train loss. */
  isDashed?: boolean;
}

export interface MetricChartProps {
  title: string;
  xLabel: string;
  series: ChartSeries[];
  referenceLines?: { y: number; label: string }[];
  height?: number;
  formatX?: (x: number) => string;
  /** Steps and forward passes are counts: no ticks between integers. */
  isIntegerX?: boolean;
  /** Shared x range, so stacked charts of one run line up. */
  xDomain?: [number, number];
}

export function MetricChart({
  title,
  xLabel,
  series,
  referenceLines = [],
  height = 300,
  formatX,
  isIntegerX = false,
  xDomain,
}: MetricChartProps) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const isEmpty = xs.length === 0;
  return (
    <Box aria-label={title} role="figure" data-points={series.reduce((n, s) => n + s.points.length, 0)}>
      <Typography variant="subtitle2" sx={{ mb: 0.5 }}>
        {title}
      </Typography>
      {isEmpty ? (
        <Box
          sx={{
            height,
            display: 'grid',
            placeItems: 'center',
            color: 'text.secondary',
            border: 1,
            borderColor: 'divider',
            borderRadius: 1,
          }}
        >
          Waiting for the first points…
        </Box>
      ) : (
        <LineChart
          height={height}
          skipAnimation
          xAxis={[
            {
              data: xs,
              label: xLabel,
              scaleType: 'linear',
              valueFormatter: formatX ?? (isIntegerX ? (x: number) => String(Math.round(x)) : undefined),
              ...(isIntegerX ? { tickMinStep: 1 } : {}),
              ...(xDomain ? { min: xDomain[0], max: xDomain[1] } : {}),
            },
          ]}
          yAxis={[{ width: 56, valueFormatter: (y: number) => formatNumber(y, 3) }]}
          series={series.map((s, i) => {
            const values: (number | null)[] = xs.map(() => null);
            for (const p of s.points) values[index.get(p.x)!] = p.y;
            return {
              id: `s${i}`,
              label: s.label,
              data: values,
              showMark: s.points.length < 30,
              connectNulls: true,
              curve: 'linear' as const,
            };
          })}
          sx={Object.fromEntries(
            series.map((s, i) => [
              `& path[data-series="s${i}"]`,
              s.isDashed ? { strokeDasharray: '6 4' } : {},
            ]),
          )}
        >
          {referenceLines.map((line) => (
            <ChartsReferenceLine
              key={line.label}
              y={line.y}
              label={line.label}
              lineStyle={{ strokeDasharray: '2 4' }}
              labelAlign="start"
            />
          ))}
        </LineChart>
      )}
    </Box>
  );
}
