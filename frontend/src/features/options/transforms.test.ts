import { describe, expect, it } from 'vitest';
import {
  atmIndex,
  barDomain,
  extent,
  heatColor,
  isItm,
  istChartTime,
  niceTicks,
  pcr,
  scale,
  topStrikes,
  withTick,
} from './transforms';

describe('atmIndex', () => {
  it('finds the ATM strike exactly', () => {
    expect(atmIndex([25900, 25950, 26000, 26050], 26000)).toBe(2);
  });
  it('falls back to the nearest strike, lower on a tie', () => {
    expect(atmIndex([100, 110, 120], 114)).toBe(1);
    expect(atmIndex([100, 110, 120], 115)).toBe(1);
    expect(atmIndex([100, 110, 120], 116)).toBe(2);
  });
  it('is -1 for an empty chain or no ATM', () => {
    expect(atmIndex([], 100)).toBe(-1);
    expect(atmIndex([100], null)).toBe(-1);
  });
});

describe('isItm', () => {
  it('shades calls below and puts above the forward', () => {
    expect(isItm('ce', 100, 105)).toBe(true);
    expect(isItm('pe', 100, 105)).toBe(false);
    expect(isItm('pe', 110, 105)).toBe(true);
    expect(isItm('ce', 110, null)).toBe(false);
  });
});

describe('withTick', () => {
  const leg = { ltp: 10, bid: 9.9, ask: 10.1 };
  it('lays the tick over the snapshot', () => {
    expect(withTick(leg, { ltp: 11, bid: 10.9, ask: 11.2 })).toEqual({ ltp: 11, bid: 10.9, ask: 11.2 });
  });
  it('keeps the snapshot bid/ask when the tick has none, and ignores empty ticks', () => {
    expect(withTick(leg, { ltp: 11 })).toEqual({ ltp: 11, bid: 9.9, ask: 10.1 });
    expect(withTick(leg, { ltp: 0 })).toBe(leg);
    expect(withTick(leg, undefined)).toBe(leg);
  });
});

describe('heat-map colour scale', () => {
  it('runs blue at the minimum to red at the maximum', () => {
    expect(heatColor(10, 10, 30)).toBe('hsl(230 75% 48%)');
    expect(heatColor(30, 10, 30)).toBe('hsl(0 75% 48%)');
    expect(heatColor(20, 10, 30)).toBe('hsl(115 75% 48%)');
  });
  it('clamps outside the range, centres a flat grid and leaves missing cells empty', () => {
    expect(heatColor(40, 10, 30)).toBe('hsl(0 75% 48%)');
    expect(heatColor(5, 10, 30)).toBe('hsl(230 75% 48%)');
    expect(heatColor(12, 12, 12)).toBe('hsl(115 75% 48%)');
    expect(heatColor(null, 10, 30)).toBeNull();
    expect(heatColor(Number.NaN, 10, 30)).toBeNull();
  });
  it('is monotone: a higher IV is never bluer', () => {
    const hues = [11, 14, 18, 22, 29].map((v) => Number(/hsl\((\d+)/.exec(heatColor(v, 10, 30) ?? '')?.[1]));
    expect(hues).toEqual([...hues].sort((a, b) => b - a));
  });
});

describe('extent and barDomain', () => {
  it('skips missing values', () => {
    expect(extent([3, null, -2, undefined, 7, Number.NaN])).toEqual([-2, 7]);
    expect(extent([null])).toBeNull();
  });
  it('always spans zero so bars grow from a zero line', () => {
    expect(barDomain([[5, 10], [2]])).toEqual([0, 10]);
    expect(barDomain([[-4, 3]])).toEqual([-4, 3]);
    expect(barDomain([[null]])).toEqual([0, 1]);
  });
});

describe('niceTicks and scale', () => {
  it('picks round steps', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-3, 7, 4)).toEqual([-2.5, 0, 2.5, 5]);
  });
  it('maps linearly and inverts for SVG y', () => {
    const y = scale(0, 10, 100, 0);
    expect(y(0)).toBe(100);
    expect(y(5)).toBe(50);
  });
});

describe('pcr and topStrikes', () => {
  it('divides puts by calls', () => {
    expect(pcr(150, 100)).toBe(1.5);
    expect(pcr(10, 0)).toBeNull();
  });
  it('ranks strikes by value', () => {
    expect(topStrikes([100, 110, 120, 130], [5, 50, null, 20], 2)).toEqual([110, 130]);
  });
});

describe('istChartTime', () => {
  it('shifts epoch seconds so a UTC axis reads IST', () => {
    // 09:15 IST on 27 Nov 2026 is 03:45 UTC; on the chart it must read 09:15.
    const epoch = Date.UTC(2026, 10, 27, 3, 45) / 1000;
    expect(new Date(istChartTime(epoch) * 1000).toISOString().slice(11, 16)).toBe('09:15');
  });
});
