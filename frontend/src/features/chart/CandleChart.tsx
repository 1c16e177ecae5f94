/**
 * Candlesticks with volume (lightweight-charts, loaded lazily with this module): history from the
 * server, then every tick of the symbol folded into the last bar, so the chart moves with the
 * watchlist. The attribution logo (it injects a <style> tag the CSP blocks) is replaced by a
 * plain text credit.
 */
import {
  CandlestickSeries,
  ColorType,
  createChart,
  HistogramSeries,
  type UTCTimestamp,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { useTheme } from '@/stores/theme';
import { useTicks } from '@/stores/ticks';
import { type Bar, foldTick } from './candles';

interface CandleChartProps {
  bars: Bar[];
  symbolKey: string;
  seconds: number;
}

export default function CandleChart({ bars, symbolKey, seconds }: CandleChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const figure = useRef<HTMLElement>(null);
  const theme = useTheme((s) => s.theme);

  useEffect(() => {
    const el = container.current;
    if (!el) return undefined;
    const dark = theme === 'dark';
    const text = dark ? '#9aa3b2' : '#5b6472';
    const grid = dark ? '#1a2130' : '#eef0f3';
    const up = dark ? '#22c55e' : '#15803d';
    const down = dark ? '#ef4444' : '#b91c1c';
    const chart = createChart(el, {
      autoSize: true,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: text,
        fontSize: 11,
        attributionLogo: false,
      },
      grid: { vertLines: { color: grid }, horzLines: { color: grid } },
      timeScale: { timeVisible: seconds < 86_400, secondsVisible: false, borderVisible: false },
      rightPriceScale: { borderVisible: false, scaleMargins: { top: 0.08, bottom: 0.22 } },
    });
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: up,
      downColor: down,
      borderVisible: false,
      wickUpColor: up,
      wickDownColor: down,
    });
    const volume = chart.addSeries(HistogramSeries, {
      priceFormat: { type: 'volume' },
      priceScaleId: 'volume',
      color: dark ? '#334155' : '#cbd5e1',
    });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.82, bottom: 0 } });

    const asCandle = (b: Bar) => ({
      time: b.time as UTCTimestamp,
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
    });
    candles.setData(bars.map(asCandle));
    volume.setData(bars.map((b) => ({ time: b.time as UTCTimestamp, value: b.volume })));
    chart.timeScale().scrollToRealTime();

    let last: Bar | undefined = bars[bars.length - 1];
    let count = bars.length;
    const mark = () => figure.current?.setAttribute('data-bars', String(count));
    mark();
    const push = (ltp: number, at: number) => {
      const next = foldTick(last, ltp, at, seconds);
      if (last && next.time < last.time) return;
      if (!last || next.time > last.time) count += 1;
      last = next;
      candles.update(asCandle(next));
      figure.current?.setAttribute('data-last-close', String(next.close));
      mark();
    };
    const unsubscribe = useTicks.subscribe((state, prev) => {
      const tick = state.ticks[symbolKey];
      if (tick && tick !== prev.ticks[symbolKey]) push(tick.ltp, tick.updatedAt);
    });
    return () => {
      unsubscribe();
      chart.remove();
    };
  }, [bars, symbolKey, seconds, theme]);

  return (
    <figure ref={figure} className="p-2" data-testid="candle-chart">
      <div ref={container} className="h-[28rem] w-full" />
      <figcaption className="mt-1 text-[10px] text-muted-foreground">
        Candles in IST · charts by{' '}
        <a className="underline" href="https://www.tradingview.com/" target="_blank" rel="noreferrer">
          TradingView Lightweight Charts
        </a>
      </figcaption>
    </figure>
  );
}
