import { bucket, foldTick, IST_OFFSET_S, intervalOf, istDate, rangeFor, toBars } from './candles';

// 2026-11-27 00:00 IST = 2026-11-26 18:30 UTC
const MIDNIGHT_IST = Date.UTC(2026, 10, 26, 18, 30) / 1000;

describe('chart candles', () => {
  it('asks for ranges the server accepts, in IST dates', () => {
    const now = Date.UTC(2026, 10, 29, 20, 0); // 01:30 IST on the 30th
    expect(istDate(now)).toBe('2026-11-30');
    expect(rangeFor('5m', now)).toEqual({ start_date: '2026-11-24', end_date: '2026-11-30' });
    expect(rangeFor('1h', now).start_date).toBe('2026-11-01'); // 30 days inclusive
    expect(intervalOf('nope').id).toBe('5m');
  });

  it('buckets server candles in IST and drops duplicates', () => {
    const bars = toBars(
      [
        { timestamp: MIDNIGHT_IST + 300, open: 2, high: 3, low: 1, close: 2, volume: 5 },
        { timestamp: MIDNIGHT_IST, open: 1, high: 2, low: 1, close: 2, volume: 4 },
        { timestamp: MIDNIGHT_IST + 300, open: 2, high: 4, low: 1, close: 3, volume: 6 },
      ],
      300,
    );
    expect(bars.map((b) => b.time)).toEqual([bucket(MIDNIGHT_IST, 300), bucket(MIDNIGHT_IST, 300) + 300]);
    expect(bars[1]?.close).toBe(3);
    expect((bars[0]?.time ?? 1) % 86_400).toBe(0); // midnight IST on the shifted axis
    // A daily candle stamped at midnight UTC lands on its own date.
    const day = toBars(
      [{ timestamp: Date.UTC(2026, 10, 27) / 1000, open: 1, high: 1, low: 1, close: 1, volume: 1 }],
      86_400,
    );
    expect(new Date((day[0]?.time ?? 0) * 1000).toISOString().slice(0, 10)).toBe('2026-11-27');
    expect(IST_OFFSET_S).toBe(19_800);
  });

  it('folds ticks into the last bar or opens the next one', () => {
    const first = foldTick(undefined, 100, (MIDNIGHT_IST + 10) * 1000, 60);
    expect(first).toMatchObject({ open: 100, high: 100, low: 100, close: 100 });
    const same = foldTick(first, 98, (MIDNIGHT_IST + 50) * 1000, 60);
    expect(same).toMatchObject({ time: first.time, open: 100, high: 100, low: 98, close: 98 });
    const next = foldTick(same, 101, (MIDNIGHT_IST + 61) * 1000, 60);
    expect(next.time).toBe(first.time + 60);
    expect(next.open).toBe(101);
    const late = foldTick(next, 99, (MIDNIGHT_IST + 5) * 1000, 60);
    expect(late).toMatchObject({ time: next.time, close: 99, low: 99 });
  });
});
