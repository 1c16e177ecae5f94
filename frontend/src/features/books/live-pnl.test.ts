import type { Position } from '@/lib/api/pending';
import { livePnl } from './live-pnl';

const base: Position = {
  symbol: 'SBIN',
  exchange: 'NSE',
  product: 'MIS',
  quantity: 10,
  average_price: '800.00',
  ltp: 810,
  pnl: 100,
};
const tick = (ltp: number) => ({ ltp, direction: 'up' as const, updatedAt: 0 });

describe('livePnl', () => {
  it('moves long and short P&L with the tick', () => {
    expect(livePnl(base, tick(812))).toEqual({ ltp: 812, pnl: 120 });
    expect(livePnl({ ...base, quantity: -10, pnl: -100 }, tick(812))).toEqual({ ltp: 812, pnl: -120 });
  });
  it('keeps a closed position at its realised P&L', () => {
    expect(livePnl({ ...base, quantity: 0, pnl: 55.5 }, tick(900))).toEqual({ ltp: 810, pnl: 55.5 });
  });
  it('falls back to the server values without a tick', () => {
    expect(livePnl(base, undefined)).toEqual({ ltp: 810, pnl: 100 });
  });
});
