/** Pure data shaping for the options views (tested in transforms.test.ts). */

/** Row of the ATM strike: the exact strike when present, else the nearest (lower on a tie). */
export function atmIndex(strikes: readonly number[], atm: number | null | undefined): number {
  if (strikes.length === 0 || atm == null || !Number.isFinite(atm)) return -1;
  let best = 0;
  strikes.forEach((strike, i) => {
    if (Math.abs(strike - atm) < Math.abs((strikes[best] ?? strike) - atm)) best = i;
  });
  return best;
}

/** In the money: calls below the forward, puts above it (shaded in the chain). */
export function isItm(side: 'ce' | 'pe', strike: number, forward: number | null | undefined): boolean {
  if (forward == null) return false;
  return side === 'ce' ? strike < forward : strike > forward;
}

export interface LivePrice {
  ltp: number;
  bid: number;
  ask: number;
}

/** A leg's prices with the latest tick laid over the snapshot (a tick without bid/ask keeps them). */
export function withTick(
  leg: LivePrice,
  tick: { ltp: number; bid?: number; ask?: number } | undefined,
): LivePrice {
  if (!tick || !(tick.ltp > 0)) return leg;
  return {
    ltp: tick.ltp,
    bid: tick.bid && tick.bid > 0 ? tick.bid : leg.bid,
    ask: tick.ask && tick.ask > 0 ? tick.ask : leg.ask,
  };
}

/** [min, max] over the finite values of a grid; null when it has none. */
export function extent(values: readonly (number | null | undefined)[]): [number, number] | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v == null || !Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Heat-map colour of an IV between the grid's min and max: blue (low) through green and yellow to
 * red (high), on hue 230 → 0 at constant saturation, so equal IV steps read as equal colour steps.
 * Missing cells get `null` (drawn as an empty cell).
 */
export function heatColor(value: number | null | undefined, lo: number, hi: number): string | null {
  if (value == null || !Number.isFinite(value)) return null;
  const t = hi > lo ? Math.min(Math.max((value - lo) / (hi - lo), 0), 1) : 0.5;
  const hue = Math.round(230 * (1 - t));
  return `hsl(${hue} 75% 48%)`;
}

/** About `count` round tick values covering [lo, hi] (1, 2, 2.5, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(count, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toFixed(10)));
  return ticks;
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** The range bars are drawn against: always includes 0 so bars grow from a zero line. */
export function barDomain(series: readonly (readonly (number | null | undefined)[])[]): [number, number] {
  const found = extent(series.flat());
  if (!found) return [0, 1];
  const lo = Math.min(found[0], 0);
  const hi = Math.max(found[1], 0);
  return hi === lo ? [lo, lo + 1] : [lo, hi];
}

/** Put-call ratio, or null when there are no calls. */
export function pcr(puts: number, calls: number): number | null {
  return calls > 0 ? puts / calls : null;
}

/** OI in lots (the chain's OI is in units). */
export function inLots(oi: number, lotSize: number): number {
  return lotSize > 0 ? oi / lotSize : oi;
}

/** Strikes of the largest values (OI walls, GEX extremes), biggest first. */
export function topStrikes(strikes: readonly number[], values: readonly (number | null)[], n = 3): number[] {
  return strikes
    .map((strike, i) => ({ strike, value: values[i] ?? Number.NEGATIVE_INFINITY }))
    .filter((row) => Number.isFinite(row.value))
    .sort((a, b) => b.value - a.value)
    .slice(0, n)
    .map((row) => row.strike);
}

/** IST offset: lightweight-charts draws its axis in UTC, so IST wall-clock times are shifted in. */
export const IST_OFFSET_S = 19_800;

/** A candle's epoch seconds as the chart time that reads as IST on the axis. */
export function istChartTime(epochS: number): number {
  return epochS + IST_OFFSET_S;
}
