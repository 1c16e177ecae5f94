/**
 * Option chain: CALLS | strike | PUTS around ATM. The snapshot (greeks, OI, volume) refreshes every
 * 10 s; LTP, bid and ask move with live ticks (Socket.IO, else the quotes poller). The ATM row is
 * highlighted and in-the-money sides shaded; clicking a bid opens the order ticket to sell at the
 * bid, an ask to buy at the ask, one lot.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Switch } from '@/components/ui/switch';
import { cn } from '@/lib/cn';
import { formatCompact, formatINR, formatNumber } from '@/lib/format';
import { useLiveQuotes } from '@/lib/realtime/live-quotes';
import { useTicket } from '@/stores/ticket';
import { symbolKey, useTicks } from '@/stores/ticks';
import { type ChainLeg, type ChainResponse, chainQuery, expiriesQuery } from './api';
import { OptionsPage, QueryFrame, StrikeCountSelect, useSelection } from './OptionsPage';
import { atmIndex, isItm, pcr, withTick } from './transforms';

const SNAPSHOT_MS = 10_000;

export function OptionChainPage() {
  const selection = useSelection();
  const [count, setCount] = useState(10);
  const [greeks, setGreeks] = useState(false);
  const chain = useQuery(chainQuery(selection, count, SNAPSHOT_MS));
  const exchange =
    useQuery(expiriesQuery(selection.underlying, selection.exchange)).data?.options_exchange ?? 'NFO';
  const keys = useMemo(() => legKeys(chain.data, exchange), [chain.data, exchange]);
  const live = useLiveQuotes(keys);
  const body = chain.data;
  return (
    <OptionsPage
      title="Option chain"
      badges={
        body ? (
          <span className="num flex items-baseline gap-2 text-xs">
            <span className="text-sm font-semibold">
              {body.underlying} {formatINR(body.underlying_ltp)}
            </span>
            <span className="text-muted-foreground">Fwd {formatNumber(body.forward_price)}</span>
            <Badge tone={live.mode === 'live' ? 'profit' : 'neutral'}>
              {live.mode === 'live' ? `Streaming ${keys.length}` : 'Polling'}
            </Badge>
          </span>
        ) : null
      }
      controls={
        <>
          <StrikeCountSelect value={count} onChange={setCount} />
          <span className="flex items-center gap-1.5 text-xs">
            <Switch checked={greeks} onCheckedChange={setGreeks} label="Show greeks" />
            Greeks
          </span>
        </>
      }
    >
      <QueryFrame query={chain}>
        {(data) => <ChainTable data={data} exchange={exchange} greeks={greeks} />}
      </QueryFrame>
    </OptionsPage>
  );
}

function legKeys(data: ChainResponse | undefined, exchange: string): string[] {
  if (!data) return [];
  const keys = [symbolKey(data.underlying_exchange, data.underlying_symbol)];
  for (const row of data.chain) {
    if (row.ce) keys.push(symbolKey(exchange, row.ce.symbol));
    if (row.pe) keys.push(symbolKey(exchange, row.pe.symbol));
  }
  return keys;
}

const GREEKS = [
  { id: 'implied_volatility', label: 'IV', digits: 2 },
  { id: 'delta', label: 'Delta', digits: 3 },
  { id: 'gamma', label: 'Gamma', digits: 5 },
  { id: 'theta', label: 'Theta', digits: 2 },
  { id: 'vega', label: 'Vega', digits: 2 },
] as const;

function ChainTable({ data, exchange, greeks }: { data: ChainResponse; exchange: string; greeks: boolean }) {
  const strikes = data.chain.map((row) => row.strike);
  const atm = atmIndex(strikes, data.atm_strike);
  const forward = data.forward_price ?? data.underlying_ltp;
  const totals = data.chain.reduce(
    (t, row) => ({ ce: t.ce + (row.ce?.oi ?? 0), pe: t.pe + (row.pe?.oi ?? 0) }),
    { ce: 0, pe: 0 },
  );
  const ratio = pcr(totals.pe, totals.ce);
  const greekCols = greeks ? GREEKS : [];
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap gap-4 text-xs text-muted-foreground">
        <span>
          ATM <b className="text-foreground">{data.atm_strike}</b>
        </span>
        <span>
          CE OI <b className="num text-foreground">{formatCompact(totals.ce)}</b>
        </span>
        <span>
          PE OI <b className="num text-foreground">{formatCompact(totals.pe)}</b>
        </span>
        <span>
          PCR <b className="num text-foreground">{ratio == null ? '—' : ratio.toFixed(2)}</b>
        </span>
        <span>Click a bid to sell, an ask to buy (one lot)</span>
      </div>
      <div className="overflow-x-auto">
        <table className="w-full text-xs" aria-label="Option chain">
          <thead className="text-muted-foreground">
            <tr>
              <th colSpan={5 + greekCols.length} className="py-1 text-center font-semibold text-profit">
                CALLS
              </th>
              <th className="py-1" />
              <th colSpan={5 + greekCols.length} className="py-1 text-center font-semibold text-loss">
                PUTS
              </th>
            </tr>
            <tr className="border-b">
              {greekCols.map((g) => (
                <th key={`ce-${g.id}`} className="px-1.5 py-1 text-right font-medium">
                  {g.label}
                </th>
              ))}
              {['OI', 'Volume', 'LTP', 'Bid', 'Ask'].map((h) => (
                <th key={`ce-${h}`} className="px-1.5 py-1 text-right font-medium">
                  {h}
                </th>
              ))}
              <th className="px-2 py-1 text-center font-medium">Strike</th>
              {['Bid', 'Ask', 'LTP', 'Volume', 'OI'].map((h) => (
                <th key={`pe-${h}`} className="px-1.5 py-1 text-right font-medium">
                  {h}
                </th>
              ))}
              {[...greekCols].reverse().map((g) => (
                <th key={`pe-${g.id}`} className="px-1.5 py-1 text-right font-medium">
                  {g.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.chain.map((row, i) => (
              <tr
                key={row.strike}
                data-testid={i === atm ? 'atm-row' : undefined}
                aria-current={i === atm ? 'true' : undefined}
                className={cn('border-b border-border/50', i === atm && 'bg-warning/15 font-semibold')}
              >
                <Side
                  leg={row.ce}
                  side="ce"
                  itm={isItm('ce', row.strike, forward)}
                  exchange={exchange}
                  greeks={greekCols}
                />
                <td className="num px-2 py-1 text-center font-semibold">{row.strike}</td>
                <Side
                  leg={row.pe}
                  side="pe"
                  itm={isItm('pe', row.strike, forward)}
                  exchange={exchange}
                  greeks={greekCols}
                />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function Side({
  leg,
  side,
  itm,
  exchange,
  greeks,
}: {
  leg: ChainLeg | null | undefined;
  side: 'ce' | 'pe';
  itm: boolean;
  exchange: string;
  greeks: readonly (typeof GREEKS)[number][];
}) {
  const key = leg ? symbolKey(exchange, leg.symbol) : '';
  const tick = useTicks((s) => (key ? s.ticks[key] : undefined));
  const openTicket = useTicket((s) => s.openTicket);
  const cells = 5 + greeks.length;
  if (!leg)
    return (
      <td colSpan={cells} className="text-center text-muted-foreground">
        —
      </td>
    );
  const price = withTick(leg, tick);
  const shade = itm ? 'bg-muted/60' : '';
  const trade = (action: 'BUY' | 'SELL') =>
    openTicket({ symbol: leg.symbol, exchange, action, quantity: leg.lotsize, product: 'NRML' });
  const greekCells = greeks.map((g) => (
    <td key={g.id} className={cn('num px-1.5 py-1 text-right text-muted-foreground', shade)}>
      {leg[g.id] == null ? '—' : formatNumber(leg[g.id], g.digits)}
    </td>
  ));
  const book = [
    <td key="bid" className={cn('px-0.5 py-0.5 text-right', shade)}>
      <button
        type="button"
        className="num rounded px-1 text-sell hover:bg-sell/15"
        aria-label={`Sell ${leg.symbol} at the bid`}
        title={`Sell at the bid`}
        onClick={() => trade('SELL')}
      >
        {formatNumber(price.bid)}
      </button>
    </td>,
    <td key="ask" className={cn('px-0.5 py-0.5 text-right', shade)}>
      <button
        type="button"
        className="num rounded px-1 text-buy hover:bg-buy/15"
        aria-label={`Buy ${leg.symbol} at the ask`}
        title={`Buy at the ask`}
        onClick={() => trade('BUY')}
      >
        {formatNumber(price.ask)}
      </button>
    </td>,
  ];
  const ltp = (
    <td key="ltp" className={cn('num px-1.5 py-1 text-right font-medium', shade)} data-symbol={leg.symbol}>
      {formatNumber(price.ltp)}
    </td>
  );
  const volume = (
    <td key="vol" className={cn('num px-1.5 py-1 text-right', shade)}>
      {formatCompact(leg.volume)}
    </td>
  );
  const oi = (
    <td key="oi" className={cn('num px-1.5 py-1 text-right', shade)}>
      {formatCompact(leg.oi)}
    </td>
  );
  // Mirrored: the calls read outwards-in to the strike, the puts strike-outwards.
  return side === 'ce' ? (
    <>
      {greekCells}
      {oi}
      {volume}
      {ltp}
      {book}
    </>
  ) : (
    <>
      {book}
      {ltp}
      {volume}
      {oi}
      {[...greekCells].reverse()}
    </>
  );
}
