/**
 * Intraday line of the last traded price, fed by ticks from the store (lightweight-charts).
 * Times are shifted to IST for display; the attribution logo (which injects a <style> tag the CSP
 * blocks) is replaced by a plain text credit.
 */
import {
  ColorType,
  createChart,
  type IChartApi,
  type ISeriesApi,
  LineSeries,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/stores/theme';
import { useTicks } from '@/stores/ticks';

const IST_OFFSET_S = 19_800;

export default function LiveChart({ symbolKey }: { symbolKey: string }) {
  const container = useRef<HTMLDivElement>(null);
  const series = useRef<ISeriesApi<'Line'> | null>(null);
  const chart = useRef<IChartApi | null>(null);
  const theme = useTheme((s) => s.theme);

  useEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    const dark = theme === 'dark';
    const text = dark ? '#9aa3b2' : '#5b6472';
    const grid = dark ? '#1a2130' : '#eef0f3';
    const c = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: text,
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      timeScale: { timeVisible: true, secondsVisible: true, borderVisible: false },
      rightPriceScale: { borderVisible: false },
    });
    const s = c.addSeries(LineSeries, {
      color: dark ? '#60a5fa' : '#1d4ed8',
      lineWidth: 2,
      priceLineVisible: true,
    });
    chart.current = c;
    series.current = s;
    let lastTime = 0;
    const push = (ltp: number | undefined, at: number | undefined) => {
      if (ltp === undefined || at === undefined) return;
      const time = Math.max(lastTime, Math.floor(at / 1000) + IST_OFFSET_S);
      lastTime = time;
      s.update({ time: time as UTCTimestamp, value: ltp });
    };
    const first = useTicks.getState().ticks[symbolKey];
    push(first?.ltp, first?.updatedAt);
    const unsubscribe = useTicks.subscribe((state, prev) => {
      const tick = state.ticks[symbolKey];
      if (tick && tick !== prev.ticks[symbolKey]) push(tick.ltp, tick.updatedAt);
    });
    return () => {
      unsubscribe();
      c.remove();
      chart.current = null;
      series.current = null;
    };
  }, [symbolKey, theme]);

  return (
    <figure className="border-t p-2" data-testid="live-chart">
      <div ref={container} className="h-48 w-full" />
      <figcaption className="mt-1 text-[10px] text-muted-foreground">
        Live LTP, IST · charts by{' '}
        <a className="underline" href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
          TradingView Lightweight Charts
        </a>
      </figcaption>
    </figure>
  );
}
