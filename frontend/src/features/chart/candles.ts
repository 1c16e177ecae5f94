/** Candle arithmetic for the chart page: intervals, history ranges, and folding live ticks in. */
import type { Candle, HistoryInterval } from '@/lib/api/pending';

/** Times are shown in IST: lightweight-charts draws UTC, so every time is shifted by +5:30. */
export const IST_OFFSET_S = 19_800;

export const INTERVALS = [
  { id: '1m', label: '1m', seconds: 60, days: 3 },
  { id: '3m', label: '3m', seconds: 180, days: 5 },
  { id: '5m', label: '5m', seconds: 300, days: 7 },
  { id: '10m', label: '10m', seconds: 600, days: 15 },
  { id: '15m', label: '15m', seconds: 900, days: 15 },
  { id: '30m', label: '30m', seconds: 1800, days: 30 },
  { id: '1h', label: '1h', seconds: 3600, days: 30 },
  { id: 'D', label: '1D', seconds: 86_400, days: 365 },
] as const satisfies readonly { id: HistoryInterval; label: string; seconds: number; days: number }[];

export type ChartInterval = (typeof INTERVALS)[number]['id'];

export function intervalOf(id: string | null | undefined): (typeof INTERVALS)[number] {
  return INTERVALS.find((i) => i.id === id) ?? INTERVALS[2];
}

/** YYYY-MM-DD of an instant, in IST. */
export function istDate(ms: number): string {
  return new Date(ms + IST_OFFSET_S * 1000).toISOString().slice(0, 10);
}

/** The history request for an interval ending today (intraday ranges stay within 30 days). */
export function rangeFor(id: ChartInterval, now: number): { start_date: string; end_date: string } {
  const { days } = intervalOf(id);
  return { start_date: istDate(now - (days - 1) * 86_400_000), end_date: istDate(now) };
}

export interface Bar {
  /** start of the bucket, epoch seconds shifted to IST */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** The bucket an instant (epoch seconds) falls in, in the chart's IST-shifted time. */
export function bucket(epochS: number, seconds: number): number {
  return Math.floor((epochS + IST_OFFSET_S) / seconds) * seconds;
}

/** Server candles as bars: bucketed, sorted, de-duplicated (the later row wins). */
export function toBars(candles: Candle[], seconds: number): Bar[] {
  const byTime = new Map<number, Bar>();
  for (const c of candles) {
    const time = bucket(c.timestamp, seconds);
    byTime.set(time, { time, open: c.open, high: c.high, low: c.low, close: c.close, volume: c.volume });
  }
  return [...byTime.values()].sort((a, b) => a.time - b.time);
}

/**
 * Fold one trade price into the last bar: the same bucket widens it, a later bucket opens a new
 * bar, and a tick older than the last bar (clock skew) only moves its close.
 */
export function foldTick(last: Bar | undefined, ltp: number, atMs: number, seconds: number): Bar {
  const time = bucket(Math.floor(atMs / 1000), seconds);
  if (!last || time > last.time) return { time, open: ltp, high: ltp, low: ltp, close: ltp, volume: 0 };
  return { ...last, high: Math.max(last.high, ltp), low: Math.min(last.low, ltp), close: ltp };
}
