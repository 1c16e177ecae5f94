import { fromFeed, symbolKey, useTicks } from './ticks';

describe('ticks store', () => {
  beforeEach(() => useTicks.getState().clear());

  it('keys by EXCHANGE:SYMBOL', () => {
    expect(symbolKey('nse', 'sbin')).toBe('NSE:SBIN');
  });

  it('derives change from the previous close and tracks direction', () => {
    const { apply } = useTicks.getState();
    apply('NSE:SBIN', { ltp: 100, prev_close: 98 }, 1);
    let tick = useTicks.getState().ticks['NSE:SBIN'];
    expect(tick?.change).toBe(2);
    expect(tick?.change_percent).toBeCloseTo(2.0408, 3);
    expect(tick?.direction).toBe('flat');

    apply('NSE:SBIN', { ltp: 99.5 }, 2);
    tick = useTicks.getState().ticks['NSE:SBIN'];
    expect(tick?.direction).toBe('down');
    expect(tick?.change).toBeCloseTo(1.5);
    expect(tick?.prev_close).toBe(98);
    expect(tick?.updatedAt).toBe(2);

    apply('NSE:SBIN', { ltp: 101 }, 3);
    expect(useTicks.getState().ticks['NSE:SBIN']?.direction).toBe('up');
  });

  it('applies a batch in one update', () => {
    useTicks.getState().applyMany([
      ['NSE:A', { ltp: 1 }],
      ['NSE:B', { ltp: 2 }],
    ]);
    expect(Object.keys(useTicks.getState().ticks)).toEqual(['NSE:A', 'NSE:B']);
  });

  it('reads best bid and ask from a Depth-mode feed message', () => {
    const data = fromFeed({
      ltp: 965.5,
      close: 960,
      depth: {
        buy: [{ price: 965.45, quantity: 10 }],
        sell: [{ price: 965.55, quantity: 4 }],
      },
    });
    useTicks.getState().apply('NSE:SBIN', data);
    const tick = useTicks.getState().ticks['NSE:SBIN'];
    expect(tick?.bid).toBe(965.45);
    expect(tick?.ask).toBe(965.55);
    expect(tick?.prev_close).toBe(960);
    expect(tick?.change).toBeCloseTo(5.5);
  });
});
