import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { SymbolSearch } from '@/components/SymbolSearch';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Input, Label, Select } from '@/components/ui/input';
import { isNotAvailable } from '@/lib/api/errors';
import { instrumentQuery } from '@/lib/api/market';
import type { Action, Instrument, PriceType, Product } from '@/lib/api/pending';
import { statusQuery } from '@/lib/api/status';
import { cn } from '@/lib/cn';
import { formatINR, formatPercent, pnlClass } from '@/lib/format';
import { useLiveQuotes } from '@/lib/realtime/live-quotes';
import { useTicket } from '@/stores/ticket';
import { symbolKey, useTick } from '@/stores/ticks';
import { toast } from '@/stores/toasts';
import { usePlaceOrder } from './api';
import {
  fieldsFor,
  LARGE_ORDER_VALUE,
  orderValue,
  PRICE_TYPES,
  productsFor,
  type TicketForm,
  toRequest,
  validate,
} from './ticket-logic';

type Picked = Pick<Instrument, 'symbol' | 'exchange'> & Partial<Instrument>;

export function OrderTicket() {
  const { open, prefill } = useTicket();
  return open ? <TicketBody key={JSON.stringify(prefill)} /> : null;
}

function TicketBody() {
  const { prefill, close } = useTicket();
  const place = usePlaceOrder();
  const paper = useQuery(statusQuery).data?.analyzer_mode === true;
  const [instrument, setInstrument] = useState<Picked | null>(
    prefill.symbol ? { symbol: prefill.symbol, exchange: prefill.exchange ?? 'NSE' } : null,
  );
  const [form, setForm] = useState<TicketForm>({
    symbol: prefill.symbol ?? '',
    exchange: prefill.exchange ?? 'NSE',
    action: prefill.action ?? 'BUY',
    quantity: String(prefill.quantity ?? 1),
    pricetype: 'MARKET',
    product: prefill.product ?? 'MIS',
    price: '',
    trigger: '',
  });
  const [confirming, setConfirming] = useState(false);
  const [touched, setTouched] = useState(false);
  const key = form.symbol ? symbolKey(form.exchange, form.symbol) : '';
  useLiveQuotes(key ? [key] : []);
  const tick = useTick(key);
  // Lot and tick size come from the master: the picked search row, else an exact lookup (a
  // symbol typed in full, or a ticket opened from the watchlist or the positions page).
  const master = useQuery({
    ...instrumentQuery(form.exchange, form.symbol),
    enabled: !!form.symbol && !instrument?.lotsize,
  });
  const details: Picked | null = instrument?.lotsize ? instrument : (master.data ?? instrument);
  const ctx = {
    lotSize: details?.lotsize ?? 1,
    tickSize: details?.tick_size ?? 0.05,
    ltp: tick?.ltp ?? null,
  };
  const masterLot = master.data?.lotsize ?? 1;
  const errors = validate(form, ctx);
  const value = orderValue(form, ctx);
  const fields = fieldsFor(form.pricetype);
  const buy = form.action === 'BUY';

  // A looked-up F&O contract starts at one lot rather than the default quantity of 1.
  useEffect(() => {
    if (masterLot > 1) setForm((f) => (f.quantity === '1' ? { ...f, quantity: String(masterLot) } : f));
  }, [masterLot]);

  useEffect(() => {
    if (!productsFor(form.exchange).includes(form.product)) setForm((f) => ({ ...f, product: 'MIS' }));
  }, [form.exchange, form.product]);

  function set<K extends keyof TicketForm>(field: K, v: TicketForm[K]) {
    setForm((f) => ({ ...f, [field]: v }));
    setConfirming(false);
  }

  function choose(item: Picked) {
    setInstrument(item);
    setForm((f) => ({
      ...f,
      symbol: item.symbol,
      exchange: item.exchange,
      quantity: String(item.lotsize && item.lotsize > 1 ? item.lotsize : f.quantity),
    }));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length) return;
    if (value !== null && value >= LARGE_ORDER_VALUE && !confirming) {
      setConfirming(true);
      return;
    }
    const result = await place.mutateAsync(toRequest(form));
    toast.success(`${form.action} ${form.quantity} ${form.symbol} placed`, {
      description: `${paper ? 'Paper order' : 'Order'} ${result.orderid ?? ''}`.trim(),
    });
    close();
  }

  // Lot and tick mistakes show while typing; missing fields only after a submit attempt.
  const eager = (field: keyof TicketForm) =>
    (field === 'quantity' || field === 'price' || field === 'trigger') && form[field] !== '';
  const err = (field: keyof TicketForm) =>
    (touched || eager(field)) && errors[field] ? (
      <p className="text-[11px] text-loss">{errors[field]}</p>
    ) : null;

  return (
    <Dialog
      open
      onOpenChange={(next) => !next && close()}
      heading={
        <span className="flex items-center gap-2">
          <span className={buy ? 'text-buy' : 'text-sell'}>{buy ? 'Buy' : 'Sell'}</span>
          {form.symbol ? (
            <span>
              {form.symbol} <span className="text-xs text-muted-foreground">{form.exchange}</span>
            </span>
          ) : (
            'order'
          )}
        </span>
      }
      className={cn('border-t-4', buy ? 'border-t-buy' : 'border-t-sell')}
    >
      <form className="space-y-3" onSubmit={(e) => void submit(e).catch(() => {})} aria-label="Order ticket">
        <fieldset className="m-0 min-w-0 border-0 p-0 grid grid-cols-2 gap-1 rounded-md bg-muted p-0.5">
          <legend className="sr-only">Side</legend>
          {(['BUY', 'SELL'] as Action[]).map((side) => (
            <button
              key={side}
              type="button"
              aria-pressed={form.action === side}
              onClick={() => set('action', side)}
              className={cn(
                'h-7 rounded text-xs font-semibold',
                form.action === side
                  ? side === 'BUY'
                    ? 'bg-buy text-white'
                    : 'bg-sell text-white'
                  : 'text-muted-foreground',
              )}
            >
              {side}
            </button>
          ))}
        </fieldset>

        <div className="space-y-1">
          <Label>Symbol</Label>
          {instrument && details ? (
            <div
              className="flex items-center justify-between rounded-md border px-2 py-1.5 text-xs"
              data-testid="ticket-instrument"
            >
              <span>
                <span className="font-medium">{details.symbol}</span>{' '}
                <span className="text-muted-foreground">{details.exchange}</span>
                {details.instrumenttype ? (
                  <span className="ml-1 text-muted-foreground">{details.instrumenttype}</span>
                ) : null}
                {details.expiry ? <span className="ml-1 text-muted-foreground">{details.expiry}</span> : null}
                {details.lotsize ? (
                  <span className="ml-1 text-muted-foreground">
                    · lot {details.lotsize} · tick {details.tick_size}
                  </span>
                ) : null}
              </span>
              <Button
                size="xs"
                variant="ghost"
                onClick={() => {
                  setInstrument(null);
                  set('symbol', '');
                }}
              >
                Change
              </Button>
            </div>
          ) : (
            <SymbolSearch label="Symbol" onPick={choose} autoFocus />
          )}
          {err('symbol')}
          {tick ? (
            <div className="num flex justify-between text-left text-xs" data-testid="ticket-quote">
              <span>
                LTP <span className="font-semibold">{formatINR(tick.ltp)}</span>
              </span>
              <span className={pnlClass(tick.change)}>{formatPercent(tick.change_percent)}</span>
              <span className="text-muted-foreground">
                Bid {formatINR(tick.bid)} · Ask {formatINR(tick.ask)}
              </span>
            </div>
          ) : null}
        </div>

        <div className="grid grid-cols-2 gap-2">
          <div className="space-y-1">
            <Label htmlFor="ticket-qty">Quantity{ctx.lotSize > 1 ? ` (lot ${ctx.lotSize})` : ''}</Label>
            <Input
              id="ticket-qty"
              type="number"
              min={ctx.lotSize}
              step={ctx.lotSize}
              value={form.quantity}
              onChange={(e) => set('quantity', e.target.value)}
              className="num"
            />
            {ctx.lotSize > 1 && Number(form.quantity) > 0 && Number(form.quantity) % ctx.lotSize === 0 ? (
              <p className="text-[11px] text-muted-foreground" data-testid="ticket-lots">
                {Number(form.quantity) / ctx.lotSize} lot(s) of {ctx.lotSize}
              </p>
            ) : null}
            {err('quantity')}
          </div>
          <div className="space-y-1">
            <Label htmlFor="ticket-product">Product</Label>
            <Select
              id="ticket-product"
              value={form.product}
              onChange={(e) => set('product', e.target.value as Product)}
            >
              {productsFor(form.exchange).map((p) => (
                <option key={p} value={p}>
                  {p === 'MIS' ? 'MIS (intraday)' : p === 'CNC' ? 'CNC (delivery)' : 'NRML (carry)'}
                </option>
              ))}
            </Select>
            {err('product')}
          </div>
        </div>

        <div className="space-y-1">
          <Label>Price type</Label>
          <fieldset className="m-0 min-w-0 border-0 p-0 grid grid-cols-4 gap-1">
            <legend className="sr-only">Price type</legend>
            {PRICE_TYPES.map((pt) => (
              <button
                key={pt}
                type="button"
                aria-pressed={form.pricetype === pt}
                onClick={() => set('pricetype', pt as PriceType)}
                className={cn(
                  'h-7 rounded-md border text-xs',
                  form.pricetype === pt
                    ? 'border-primary bg-primary/15 font-semibold'
                    : 'text-muted-foreground',
                )}
              >
                {pt}
              </button>
            ))}
          </fieldset>
        </div>

        {fields.price || fields.trigger ? (
          <div className="grid grid-cols-2 gap-2">
            {fields.price ? (
              <div className="space-y-1">
                <Label htmlFor="ticket-price">Price</Label>
                <Input
                  id="ticket-price"
                  type="number"
                  step={ctx.tickSize}
                  min={0}
                  value={form.price}
                  onChange={(e) => set('price', e.target.value)}
                  className="num"
                />
                {err('price')}
              </div>
            ) : null}
            {fields.trigger ? (
              <div className="space-y-1">
                <Label htmlFor="ticket-trigger">Trigger price</Label>
                <Input
                  id="ticket-trigger"
                  type="number"
                  step={ctx.tickSize}
                  min={0}
                  value={form.trigger}
                  onChange={(e) => set('trigger', e.target.value)}
                  className="num"
                />
                {err('trigger')}
              </div>
            ) : null}
          </div>
        ) : null}

        {paper ? (
          <p className="rounded-md bg-analyzer/15 px-2 py-1 text-xs text-analyzer" data-testid="ticket-paper">
            Analyzer mode: this is a paper order, filled by the simulator.
          </p>
        ) : null}
        <div className="flex items-center justify-between text-xs text-muted-foreground">
          <span>Approx. value</span>
          <span className="num font-medium text-foreground">{value === null ? '—' : formatINR(value)}</span>
        </div>
        {confirming ? (
          <p
            role="alert"
            className="rounded-md border border-warning/50 bg-warning/10 px-2 py-1.5 text-xs text-warning"
          >
            Large order: {formatINR(value)}. Press {buy ? 'Buy' : 'Sell'} again to confirm.
          </p>
        ) : null}
        {place.error ? (
          <p role="alert" className="text-xs text-loss">
            {isNotAvailable(place.error)
              ? 'Placing orders from the browser is not available yet (POST /web/trading/orders).'
              : place.error.message}
          </p>
        ) : null}
        <div className="flex gap-2">
          <Button variant="outline" className="flex-1" onClick={close}>
            Cancel <kbd className="text-[10px] text-muted-foreground">Esc</kbd>
          </Button>
          <Button type="submit" variant={buy ? 'buy' : 'sell'} className="flex-1" disabled={place.isPending}>
            {place.isPending ? 'Placing…' : `${confirming ? 'Confirm ' : ''}${buy ? 'Buy' : 'Sell'}`}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
