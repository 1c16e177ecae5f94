import {
  formatCompact,
  formatINR,
  formatIstDate,
  formatIstDateTime,
  formatIstTime,
  formatNumber,
  formatPercent,
  formatPnl,
  formatQty,
  groupIndian,
  MISSING,
  pnlClass,
  pnlTone,
  toEpochMs,
} from './format';

describe('groupIndian', () => {
  it.each([
    ['1', '1'],
    ['123', '123'],
    ['1234', '1,234'],
    ['12345', '12,345'],
    ['123456', '1,23,456'],
    ['1234567', '12,34,567'],
    ['12345678', '1,23,45,678'],
    ['1234567890', '1,23,45,67,890'],
  ])('%s → %s', (input, expected) => {
    expect(groupIndian(input)).toBe(expected);
  });
});

describe('formatNumber / formatINR', () => {
  it('groups lakh and crore with two decimals', () => {
    expect(formatNumber(12345678.9)).toBe('1,23,45,678.90');
    expect(formatINR(12345678.9)).toBe('₹1,23,45,678.90');
  });
  it('handles negatives, zero and strings from the API', () => {
    expect(formatINR(-1234.5)).toBe('-₹1,234.50');
    expect(formatINR(0)).toBe('₹0.00');
    expect(formatINR(-0.001)).toBe('₹0.00');
    expect(formatINR('320.66')).toBe('₹320.66');
    expect(formatNumber('99999.999')).toBe('1,00,000.00');
  });
  it('renders missing values as a dash', () => {
    expect(formatINR(null)).toBe(MISSING);
    expect(formatINR(undefined)).toBe(MISSING);
    expect(formatINR('abc')).toBe(MISSING);
    expect(formatNumber(Number.NaN)).toBe(MISSING);
  });
  it('honours the decimals argument', () => {
    expect(formatNumber(1186, 0)).toBe('1,186');
    expect(formatINR(17.2, 4)).toBe('₹17.2000');
  });
  it('formats quantities without decimals', () => {
    expect(formatQty(150000)).toBe('1,50,000');
    expect(formatQty(-104)).toBe('-104');
    expect(formatQty(0.5)).toBe('0.50');
  });
});

describe('formatCompact', () => {
  it.each([
    [12345678, '1.23 Cr'],
    [1230000, '12.3 L'],
    [150000, '1.50 L'],
    [100000, '1.00 L'],
    [99999, '99,999'],
    [1234567890, '123 Cr'],
    [123456789012, '12,346 Cr'],
    [512.456, '512.46'],
    [-2500000, '-25.0 L'],
    [0, '0.00'],
    [9_999_999, '1.00 Cr'],
    [9_995_828, '1.00 Cr'],
    [9_940_000, '99.4 L'],
    [99_999.6, '1.00 L'],
    [99_950, '99,950'],
  ])('%d → %s', (input, expected) => {
    expect(formatCompact(input)).toBe(expected);
  });
  it('adds the rupee sign on request', () => {
    expect(formatCompact(12345678, { rupee: true })).toBe('₹1.23 Cr');
    expect(formatCompact(-150000, { rupee: true })).toBe('-₹1.50 L');
  });
});

describe('P&L', () => {
  it('signs and colours', () => {
    expect(formatPnl(1234.5)).toBe('+₹1,234.50');
    expect(formatPnl(-10.44)).toBe('-₹10.44');
    expect(formatPnl(0)).toBe('₹0.00');
    expect(formatPnl(0.001)).toBe('₹0.00');
    expect(pnlTone(5)).toBe('profit');
    expect(pnlTone(-5)).toBe('loss');
    expect(pnlTone(0.004)).toBe('flat');
    expect(pnlTone(null)).toBe('flat');
    expect(pnlClass('-7.88')).toBe('text-loss');
    expect(pnlClass(3.27)).toBe('text-profit');
    expect(pnlClass(0)).toBe('text-muted-foreground');
  });
  it('formats percentages with a sign', () => {
    expect(formatPercent(1.234)).toBe('+1.23%');
    expect(formatPercent(-11.65)).toBe('-11.65%');
    expect(formatPercent(0)).toBe('0.00%');
  });
});

describe('IST time', () => {
  const utc = Date.UTC(2026, 10, 29, 15, 30, 44); // 15:30:44 UTC = 21:00:44 IST
  it('shifts UTC to IST', () => {
    expect(formatIstTime(utc)).toBe('21:00:44');
    expect(formatIstDate(utc)).toBe('29 Nov 2026');
    expect(formatIstDateTime(utc)).toBe('29 Nov 2026, 21:00:44 IST');
  });
  it('crosses midnight into the next IST day', () => {
    expect(formatIstDateTime('2026-12-31T19:00:00Z')).toBe('01 Jan 2027, 00:30:00 IST');
  });
  it('accepts epoch seconds, ISO strings with offsets and broker IST strings', () => {
    expect(formatIstTime(utc / 1000)).toBe('21:00:44');
    expect(formatIstTime('2026-11-29T21:00:44+05:30')).toBe('21:00:44');
    expect(formatIstDateTime('08-Apr-2025 13:58:03')).toBe('08 Apr 2025, 13:58:03 IST');
    expect(toEpochMs('2025-04-08 13:58:03')).toBe(Date.UTC(2025, 3, 8, 8, 28, 3));
  });
  it('renders invalid input as a dash', () => {
    expect(formatIstTime('not a time')).toBe(MISSING);
    expect(formatIstDateTime(null)).toBe(MISSING);
  });
});
