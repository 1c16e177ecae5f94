/**
 * Indian number, money and time formatting. Pure functions with no Intl dependency, so the
 * output is identical in every browser and in tests: lakh/crore grouping (1,23,45,678.90),
 * compact amounts (1.23 Cr, 12.3 L) and IST (UTC+05:30, no daylight saving) times.
 */

export type Numeric = number | string | null | undefined;

export const MISSING = '—';
const LAKH = 100_000;
const CRORE = 10_000_000;
const IST_OFFSET_MS = 330 * 60 * 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Numbers arrive as JSON numbers or as strings ("320.66"); anything else is missing. */
export function toNumber(value: Numeric): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Group the integer digits the Indian way: last three, then pairs (1,23,45,678). */
export function groupIndian(digits: string): string {
  if (digits.length <= 3) return digits;
  const last3 = digits.slice(-3);
  const rest = digits.slice(0, -3);
  return `${rest.replace(/\B(?=(\d{2})+(?!\d))/g, ',')},${last3}`;
}

function fixed(n: number, decimals: number): { sign: string; body: string } {
  const rounded = Math.abs(n).toFixed(decimals);
  const isZero = Number(rounded) === 0;
  const [int = '0', frac] = rounded.split('.');
  const body = frac === undefined ? groupIndian(int) : `${groupIndian(int)}.${frac}`;
  return { sign: n < 0 && !isZero ? '-' : '', body };
}

/** 12345678.9 → "1,23,45,678.90". */
export function formatNumber(value: Numeric, decimals = 2): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const { sign, body } = fixed(n, decimals);
  return sign + body;
}

/** Quantities: whole numbers grouped, no decimals unless fractional. */
export function formatQty(value: Numeric): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  return formatNumber(n, Number.isInteger(n) ? 0 : 2);
}

/** 12345678.9 → "₹1,23,45,678.90"; negatives "-₹1,234.50". */
export function formatINR(value: Numeric, decimals = 2): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const { sign, body } = fixed(n, decimals);
  return `${sign}₹${body}`;
}

/**
 * Three significant figures with a lakh/crore suffix: 12345678 → "1.23 Cr", 1230000 → "12.3 L",
 * 123456789012 → "12,346 Cr". Below one lakh the full grouped amount is shown.
 */
export function formatCompact(value: Numeric, { rupee = false }: { rupee?: boolean } = {}): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const abs = Math.abs(n);
  const prefix = rupee ? '₹' : '';
  // Pick the unit after rounding, so 99,99,999 reads "1.00 Cr", not "100.0 L".
  let text: string;
  if (abs >= CRORE || Number(significant(abs / LAKH).replace(/,/g, '')) >= 100)
    text = `${significant(abs / CRORE)} Cr`;
  else if (abs >= LAKH || Math.round(abs) >= LAKH) text = `${significant(abs / LAKH)} L`;
  else text = fixed(abs, abs >= 1000 ? 0 : 2).body;
  const negative = n < 0 && text.replace(/[^1-9]/g, '') !== '';
  return `${negative ? '-' : ''}${prefix}${text}`;
}

function significant(x: number): string {
  if (x >= 100) return groupIndian(Math.round(x).toString());
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** P&L with an explicit sign: "+₹1,234.50", "-₹12.00", "₹0.00". */
export function formatPnl(value: Numeric, decimals = 2): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const text = formatINR(n, decimals);
  return n > 0 && Number(Math.abs(n).toFixed(decimals)) !== 0 ? `+${text}` : text;
}

/** "+1.23%", "-0.50%", "0.00%". */
export function formatPercent(value: Numeric, decimals = 2): string {
  const n = toNumber(value);
  if (n === null) return MISSING;
  const { sign, body } = fixed(n, decimals);
  const plus = n > 0 && Number(body.replace(/,/g, '')) !== 0 ? '+' : '';
  return `${plus}${sign}${body}%`;
}

export type Tone = 'profit' | 'loss' | 'flat';

export function pnlTone(value: Numeric): Tone {
  const n = toNumber(value);
  if (n === null || Math.abs(n) < 0.005) return 'flat';
  return n > 0 ? 'profit' : 'loss';
}

/** Tailwind classes for a P&L tone (colours defined in the theme). */
export function pnlClass(value: Numeric): string {
  return { profit: 'text-profit', loss: 'text-loss', flat: 'text-muted-foreground' }[pnlTone(value)];
}

// --- time ------------------------------------------------------------------------------------

export type TimeInput = Date | number | string | null | undefined;

/** Epoch seconds (< 1e12) or milliseconds, ISO strings, or Date → milliseconds (null if invalid). */
export function toEpochMs(value: TimeInput): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? (value < 1e12 ? value * 1000 : value) : null;
  const istLocal = parseIstLocal(value);
  if (istLocal !== null) return istLocal;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** Broker wall-clock strings in IST without an offset: "08-Apr-2025 13:58:03", "2025-04-08 13:58:03". */
function parseIstLocal(value: string): number | null {
  let m = /^(\d{2})-([A-Za-z]{3})-(\d{4})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (m) {
    const month = MONTHS.findIndex((name) => name.toLowerCase() === (m?.[2] ?? '').toLowerCase());
    if (month < 0) return null;
    return (
      Date.UTC(+(m[3] ?? 0), month, +(m[1] ?? 0), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) - IST_OFFSET_MS
    );
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (m) {
    return (
      Date.UTC(+(m[1] ?? 0), +(m[2] ?? 1) - 1, +(m[3] ?? 0), +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)) -
      IST_OFFSET_MS
    );
  }
  return null;
}

function istParts(value: TimeInput) {
  const ms = toEpochMs(value);
  if (ms === null) return null;
  const d = new Date(ms + IST_OFFSET_MS);
  const pad = (n: number) => n.toString().padStart(2, '0');
  return {
    date: `${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  };
}

/** "21:00:44" in IST. */
export function formatIstTime(value: TimeInput): string {
  return istParts(value)?.time ?? MISSING;
}

/** "29 Nov 2026" in IST. */
export function formatIstDate(value: TimeInput): string {
  return istParts(value)?.date ?? MISSING;
}

/** "29 Nov 2026, 21:00:44 IST". */
export function formatIstDateTime(value: TimeInput): string {
  const p = istParts(value);
  return p ? `${p.date}, ${p.time} IST` : MISSING;
}
