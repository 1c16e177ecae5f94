/** Time series lines (lightweight-charts, loaded lazily with this module): straddle and IV history,
 *  times in IST. Each series may sit on the left or the right price scale. */
import { ColorType, createChart, LineSeries, type UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/stores/theme';
import { istChartTime } from './transforms';

export interface TimeSeries {
  label: string;
  color: string;
  points: { time: number; value: number | null }[];
  scale?: 'left' | 'right';
}

export default function TimeLines({ series, height = 340 }: { series: TimeSeries[]; height?: number }) {
  const container = useRef<HTMLDivElement>(null);
  const theme = useTheme((s) => s.theme);
  useEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    const dark = theme === 'dark';
    const grid = dark ? '#1a2130' : '#eef0f3';
    const chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: dark ? '#9aa3b2' : '#5b6472',
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      timeScale: { timeVisible: true, secondsVisible: false, borderVisible: false },
      leftPriceScale: { visible: series.some((s) => s.scale === 'left'), borderVisible: false },
      rightPriceScale: { borderVisible: false },
    });
    for (const s of series) {
      const line = chart.addSeries(LineSeries, {
        color: s.color,
        lineWidth: 2,
        title: s.label,
        priceScaleId: s.scale ?? 'right',
      });
      line.setData(
        s.points
          .filter((p) => p.value != null && Number.isFinite(p.value))
          .map((p) => ({ time: istChartTime(p.time) as UTCTimestamp, value: p.value as number })),
      );
    }
    chart.timeScale().fitContent();
    return () => chart.remove();
  }, [series, theme]);
  return (
    <figure>
      <div ref={container} style={{ height }} data-series={series.length} />
      <figcaption className="mt-1 text-right text-[10px] text-muted-foreground">
        Times in IST · charts by TradingView
      </figcaption>
    </figure>
  );
}
