import { describe, expect, it } from 'vitest';
import { sampleAlert } from './api';

describe('sampleAlert', () => {
  it('gives TradingView a symbol/action body', () => {
    const body = JSON.parse(sampleAlert('tradingview', 'RELIANCE'));
    expect(body.symbol).toBe('RELIANCE');
    expect(body.action).toContain('strategy.order.action');
  });

  it('gives Chartink its scan payload with a keyword in the scan name', () => {
    const body = JSON.parse(sampleAlert('chartink'));
    expect(Object.keys(body)).toEqual(
      expect.arrayContaining(['stocks', 'trigger_prices', 'triggered_at', 'scan_name', 'alert_name']),
    );
    expect(body.scan_name).toMatch(/\b(BUY|SELL|SHORT|COVER)\b/);
  });
});
