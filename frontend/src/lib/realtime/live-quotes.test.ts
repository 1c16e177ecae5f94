import { staleKeys } from './live-quotes';

vi.mock('./socket', () => ({}));

describe('staleKeys', () => {
  it('polls symbols with no tick or a tick older than four seconds', () => {
    const now = 100_000;
    const ticks = { 'NSE:SBIN': { updatedAt: now - 1000 }, 'NSE:INFY': { updatedAt: now - 4001 } };
    expect(staleKeys(['NSE:SBIN', 'NSE:INFY', 'NSE:TCS'], ticks, now)).toEqual(['NSE:INFY', 'NSE:TCS']);
    expect(staleKeys(['NSE:SBIN'], ticks, now)).toEqual([]);
  });
});
