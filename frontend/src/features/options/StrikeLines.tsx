/** Lines over strikes (plain SVG), e.g. the IV smile: gaps where a value is missing. */
import { formatNumber } from '@/lib/format';
import { Legend } from './StrikeBars';
import { extent, niceTicks, scale } from './transforms';

interface LineSeries {
  label: string;
  color: string;
  values: readonly (number | null)[];
  dashed?: boolean;
}

const PAD = { left: 44, right: 10, top: 10, bottom: 30 };

export function StrikeLines({
  strikes,
  series,
  marker,
  title,
  height = 300,
  unit = '',
}: {
  strikes: readonly number[];
  series: readonly LineSeries[];
  marker?: { strike: number; label: string } | null;
  title: string;
  height?: number;
  unit?: string;
}) {
  const width = Math.max(520, strikes.length * 14);
  const range = extent(series.flatMap((s) => s.values)) ?? [0, 1];
  const pad = (range[1] - range[0]) * 0.08 || 1;
  const [lo, hi] = [range[0] - pad, range[1] + pad];
  const x = scale(strikes[0] ?? 0, strikes[strikes.length - 1] ?? 1, PAD.left, width - PAD.right);
  const y = scale(lo, hi, height - PAD.bottom, PAD.top);
  const path = (values: readonly (number | null)[]) => {
    let d = '';
    let pen = false;
    values.forEach((v, i) => {
      if (v == null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(strikes[i] ?? 0).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  return (
    <figure className="space-y-1">
      <Legend series={series} />
      <div className="overflow-x-auto">
        <svg role="img" aria-label={title} width={width} height={height} className="text-muted-foreground">
          {niceTicks(lo, hi, 5).map((t) => (
            <g key={t}>
              <line
                x1={PAD.left}
                x2={width - PAD.right}
                y1={y(t)}
                y2={y(t)}
                stroke="currentColor"
                opacity={0.15}
              />
              <text x={PAD.left - 4} y={y(t) + 3} textAnchor="end" fontSize={10} fill="currentColor">
                {formatNumber(t, 1)}
                {unit}
              </text>
            </g>
          ))}
          {niceTicks(strikes[0] ?? 0, strikes[strikes.length - 1] ?? 1, 8).map((t) => (
            <text
              key={t}
              x={x(t)}
              y={height - PAD.bottom + 14}
              textAnchor="middle"
              fontSize={10}
              fill="currentColor"
            >
              {t}
            </text>
          ))}
          {marker ? (
            <g>
              <line
                x1={x(marker.strike)}
                x2={x(marker.strike)}
                y1={PAD.top}
                y2={height - PAD.bottom}
                className="stroke-warning"
                strokeDasharray="4 3"
              />
              <text x={x(marker.strike) + 4} y={PAD.top + 10} fontSize={10} fill="currentColor">
                {marker.label}
              </text>
            </g>
          ) : null}
          {series.map((s) => (
            <path
              key={s.label}
              d={path(s.values)}
              fill="none"
              stroke={s.color}
              strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined}
            />
          ))}
        </svg>
      </div>
    </figure>
  );
}
