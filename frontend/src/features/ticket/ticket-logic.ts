/** The rules of the order ticket, kept pure so they are tested without a browser. */
import type { Action, Exchange, OrderRequest, PriceType, Product } from '@/lib/api/pending';

export const PRICE_TYPES: PriceType[] = ['MARKET', 'LIMIT', 'SL', 'SL-M'];
const CASH_EXCHANGES = new Set(['NSE', 'BSE']);
/** Orders above this notional value ask for a second confirmation. */
export const LARGE_ORDER_VALUE = 10_00_000;

export function productsFor(exchange: string): Product[] {
  return CASH_EXCHANGES.has(exchange.toUpperCase()) ? ['MIS', 'CNC'] : ['MIS', 'NRML'];
}

export function fieldsFor(pricetype: PriceType): { price: boolean; trigger: boolean } {
  return {
    price: pricetype === 'LIMIT' || pricetype === 'SL',
    trigger: pricetype === 'SL' || pricetype === 'SL-M',
  };
}

export interface TicketForm {
  symbol: string;
  exchange: string;
  action: Action;
  quantity: string;
  pricetype: PriceType;
  product: Product;
  price: string;
  trigger: string;
}

export interface TicketContext {
  lotSize: number;
  tickSize: number;
  ltp: number | null;
}

/** Is `value` a whole number of ticks? (Decimal-safe: 0.1 + 0.2 style errors are tolerated.) */
export function onTick(value: number, tickSize: number): boolean {
  if (!(tickSize > 0)) return true;
  const ticks = value / tickSize;
  return Math.abs(ticks - Math.round(ticks)) < 1e-6;
}

/** The nearest valid price: rounded to the tick, with the tick's decimals. */
export function roundToTick(value: number, tickSize: number): number {
  if (!(tickSize > 0)) return value;
  const decimals = (String(tickSize).split('.')[1] ?? '').length;
  return Number((Math.round(value / tickSize) * tickSize).toFixed(decimals));
}

export function validate(form: TicketForm, ctx: TicketContext): Partial<Record<keyof TicketForm, string>> {
  const errors: Partial<Record<keyof TicketForm, string>> = {};
  if (!form.symbol.trim()) errors.symbol = 'Choose a symbol.';
  const qty = Number(form.quantity);
  if (!Number.isInteger(qty) || qty <= 0) errors.quantity = 'Quantity must be a whole number above zero.';
  else if (ctx.lotSize > 1 && qty % ctx.lotSize !== 0)
    errors.quantity = `Quantity must be a multiple of the lot size (${ctx.lotSize}).`;
  const { price, trigger } = fieldsFor(form.pricetype);
  if (price && !(Number(form.price) > 0)) errors.price = 'Enter a price.';
  else if (price && !onTick(Number(form.price), ctx.tickSize))
    errors.price = `Price must be a multiple of the tick size (${ctx.tickSize}), e.g. ${roundToTick(Number(form.price), ctx.tickSize)}.`;
  if (trigger && !(Number(form.trigger) > 0)) errors.trigger = 'Enter a trigger price.';
  else if (trigger && !onTick(Number(form.trigger), ctx.tickSize))
    errors.trigger = `Trigger must be a multiple of the tick size (${ctx.tickSize}), e.g. ${roundToTick(Number(form.trigger), ctx.tickSize)}.`;
  if (price && trigger && !errors.price && !errors.trigger && Number(form.trigger) > 0) {
    if (form.action === 'BUY' && Number(form.trigger) > Number(form.price))
      errors.trigger = 'A buy stop triggers at or below its limit price.';
    if (form.action === 'SELL' && Number(form.trigger) < Number(form.price))
      errors.trigger = 'A sell stop triggers at or above its limit price.';
  }
  if (!productsFor(form.exchange).includes(form.product))
    errors.product = `${form.product} is not offered on ${form.exchange}.`;
  return errors;
}

/** Notional value used for the large-order check: limit price if any, else LTP. */
export function orderValue(form: TicketForm, ctx: TicketContext): number | null {
  const qty = Number(form.quantity);
  const price = fieldsFor(form.pricetype).price ? Number(form.price) : (ctx.ltp ?? Number(form.trigger));
  if (!(qty > 0) || !(price > 0)) return null;
  return qty * price;
}

export function toRequest(form: TicketForm): OrderRequest {
  const { price, trigger } = fieldsFor(form.pricetype);
  return {
    symbol: form.symbol.trim().toUpperCase(),
    exchange: form.exchange.toUpperCase() as Exchange,
    action: form.action,
    quantity: Number(form.quantity),
    pricetype: form.pricetype,
    product: form.product,
    ...(price ? { price: Number(form.price) } : {}),
    ...(trigger ? { trigger_price: Number(form.trigger) } : {}),
  };
}
