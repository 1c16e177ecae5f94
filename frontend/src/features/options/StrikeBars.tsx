/** Bars by strike (plain SVG): one group per strike, one bar per series, a zero line, and an
 *  optional marked strike (ATM, max pain). Negative values grow downwards (put GEX, OI shed). */
import { formatCompact } from '@/lib/format';
import { barDomain, niceTicks, scale } from './transforms';

export interface BarSeries {
  label: string;
  color: string;
  values: readonly (number | null)[];
}

interface StrikeBarsProps {
  strikes: readonly number[];
  series: readonly BarSeries[];
  marker?: { strike: number; label: string } | null;
  height?: number;
  title: string;
}

const PAD = { left: 56, right: 8, top: 10, bottom: 34 };

export function StrikeBars({ strikes, series, marker, height = 300, title }: StrikeBarsProps) {
  const width = Math.max(480, strikes.length * (10 + 6 * series.length));
  const [lo, hi] = barDomain(series.map((s) => s.values));
  const y = scale(lo, hi, height - PAD.bottom, PAD.top);
  const band = (width - PAD.left - PAD.right) / Math.max(strikes.length, 1);
  const bar = Math.max((band * 0.8) / series.length, 1);
  const labelEvery = Math.ceil(strikes.length / 12);
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
                {formatCompact(t)}
              </text>
            </g>
          ))}
          <line
            x1={PAD.left}
            x2={width - PAD.right}
            y1={y(0)}
            y2={y(0)}
            stroke="currentColor"
            opacity={0.5}
          />
          {strikes.map((strike, i) => {
            const x0 = PAD.left + i * band + band * 0.1;
            const marked = marker?.strike === strike;
            return (
              <g key={strike} data-strike={strike}>
                {marked ? (
                  <rect
                    x={PAD.left + i * band}
                    y={PAD.top}
                    width={band}
                    height={height - PAD.top - PAD.bottom}
                    className="fill-warning/15"
                  />
                ) : null}
                {series.map((s, k) => {
                  const v = s.values[i];
                  if (v == null) return null;
                  const top = Math.min(y(v), y(0));
                  return (
                    <rect
                      key={s.label}
                      x={x0 + k * bar}
                      y={top}
                      width={bar}
                      height={Math.max(Math.abs(y(v) - y(0)), 0.5)}
                      fill={s.color}
                    >
                      <title>{`${strike} ${s.label}: ${formatCompact(v)}`}</title>
                    </rect>
                  );
                })}
                {i % labelEvery === 0 || marked ? (
                  <text
                    x={x0 + (bar * series.length) / 2}
                    y={height - PAD.bottom + 14}
                    textAnchor="middle"
                    fontSize={10}
                    fill="currentColor"
                    fontWeight={marked ? 700 : 400}
                  >
                    {strike}
                  </text>
                ) : null}
              </g>
            );
          })}
          {marker ? (
            <text x={width - PAD.right} y={height - 4} textAnchor="end" fontSize={10} fill="currentColor">
              ▮ {marker.label} {marker.strike}
            </text>
          ) : null}
        </svg>
      </div>
    </figure>
  );
}

export function Legend({ series }: { series: readonly { label: string; color: string }[] }) {
  return (
    <figcaption className="flex flex-wrap gap-3 text-xs text-muted-foreground">
      {series.map((s) => (
        <span key={s.label} className="flex items-center gap-1">
          <span className="inline-block size-2.5 rounded-sm" style={{ background: s.color }} />
          {s.label}
        </span>
      ))}
    </figcaption>
  );
}

export const CALL_COLOR = '#16a34a';
export const PUT_COLOR = '#dc2626';
export const NET_COLOR = '#2563eb';
