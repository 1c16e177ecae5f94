import {
  fieldsFor,
  onTick,
  orderValue,
  productsFor,
  roundToTick,
  type TicketForm,
  toRequest,
  validate,
} from './ticket-logic';

const form: TicketForm = {
  symbol: 'sbin',
  exchange: 'NSE',
  action: 'BUY',
  quantity: '10',
  pricetype: 'MARKET',
  product: 'MIS',
  price: '',
  trigger: '',
};
const ctx = { lotSize: 1, tickSize: 0.05, ltp: 800 };

describe('order ticket rules', () => {
  it('offers CNC on cash exchanges and NRML on derivatives', () => {
    expect(productsFor('NSE')).toEqual(['MIS', 'CNC']);
    expect(productsFor('NFO')).toEqual(['MIS', 'NRML']);
  });

  it('shows price and trigger only when the price type needs them', () => {
    expect(fieldsFor('MARKET')).toEqual({ price: false, trigger: false });
    expect(fieldsFor('LIMIT')).toEqual({ price: true, trigger: false });
    expect(fieldsFor('SL')).toEqual({ price: true, trigger: true });
    expect(fieldsFor('SL-M')).toEqual({ price: false, trigger: true });
  });

  it('accepts a plain market order and sends no price fields', () => {
    expect(validate(form, ctx)).toEqual({});
    expect(toRequest(form)).toEqual({
      symbol: 'SBIN',
      exchange: 'NSE',
      action: 'BUY',
      quantity: 10,
      pricetype: 'MARKET',
      product: 'MIS',
    });
  });

  it('enforces lot sizes', () => {
    const nifty = {
      ...form,
      symbol: 'NIFTY30DEC26FUT',
      exchange: 'NFO',
      product: 'NRML' as const,
      quantity: '70',
    };
    expect(validate(nifty, { ...ctx, lotSize: 75 }).quantity).toBe(
      'Quantity must be a multiple of the lot size (75).',
    );
    expect(validate({ ...nifty, quantity: '150' }, { ...ctx, lotSize: 75 })).toEqual({});
  });

  it('checks prices, trigger order and products', () => {
    expect(validate({ ...form, pricetype: 'LIMIT' }, ctx).price).toBe('Enter a price.');
    expect(validate({ ...form, pricetype: 'SL', price: '100', trigger: '101' }, ctx).trigger).toMatch(
      /buy stop/,
    );
    expect(
      validate({ ...form, action: 'SELL', pricetype: 'SL', price: '100', trigger: '99' }, ctx).trigger,
    ).toMatch(/sell stop/);
    expect(validate({ ...form, product: 'NRML' }, ctx).product).toBe('NRML is not offered on NSE.');
    expect(validate({ ...form, quantity: '1.5' }, ctx).quantity).toMatch(/whole number/);
  });

  it('values the order at the limit price or the last price', () => {
    expect(orderValue(form, ctx)).toBe(8000);
    expect(orderValue({ ...form, pricetype: 'LIMIT', price: '790' }, ctx)).toBe(7900);
    expect(orderValue(form, { ...ctx, ltp: null })).toBeNull();
  });

  it('keeps prices on the tick grid', () => {
    expect(onTick(800.05, 0.05)).toBe(true);
    expect(onTick(0.3, 0.1)).toBe(true);
    expect(onTick(800.03, 0.05)).toBe(false);
    expect(roundToTick(800.03, 0.05)).toBe(800.05);
    const limit = { ...form, pricetype: 'LIMIT' as const, price: '800.03' };
    expect(validate(limit, ctx).price).toBe('Price must be a multiple of the tick size (0.05), e.g. 800.05.');
    expect(validate({ ...limit, price: '800.1' }, { ...ctx, tickSize: 0.1 })).toEqual({});
    const stop = { ...form, pricetype: 'SL-M' as const, trigger: '799.99' };
    expect(validate(stop, ctx).trigger).toMatch(/multiple of the tick size \(0.05\)/);
  });
});
