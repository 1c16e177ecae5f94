import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import { SymbolSearch } from '@/components/SymbolSearch';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import { cn } from '@/lib/cn';
import { formatINR, formatPercent, pnlClass } from '@/lib/format';
import { useLiveQuotes } from '@/lib/realtime/live-quotes';
import { useTicket } from '@/stores/ticket';
import { symbolKey, useTick } from '@/stores/ticks';
import { historyQuery } from './api';
import { INTERVALS, intervalOf, toBars } from './candles';

// lightweight-charts loads with the chart itself, not with the page or the shell.
const CandleChart = lazy(() => import('./CandleChart'));

const DEFAULT_SYMBOL = 'NSE:SBIN';

export function ChartPage() {
  const [params, setParams] = useSearchParams();
  const key = (params.get('symbol') ?? DEFAULT_SYMBOL).toUpperCase();
  const interval = intervalOf(params.get('interval'));
  const [exchange = '', symbol = ''] = key.split(':');
  const history = useQuery(historyQuery(key, interval.id));
  const live = useLiveQuotes([key]);
  const tick = useTick(key);
  const openTicket = useTicket((s) => s.openTicket);
  const bars = useMemo(() => toBars(history.data ?? [], interval.seconds), [history.data, interval.seconds]);

  const update = (next: { symbol?: string; interval?: string }) =>
    setParams(
      (prev) => {
        const out = new URLSearchParams(prev);
        if (next.symbol) out.set('symbol', next.symbol);
        if (next.interval) out.set('interval', next.interval);
        return out;
      },
      { replace: true },
    );

  return (
    <Card>
      <CardHeader className="flex-wrap gap-2">
        <div className="flex items-baseline gap-3">
          <CardTitle as="h1">
            {symbol} <span className="text-xs font-normal text-muted-foreground">{exchange}</span>
          </CardTitle>
          {tick ? (
            <span className="num flex items-baseline gap-2 text-xs" data-testid="chart-ltp">
              <span className="text-sm font-semibold">{formatINR(tick.ltp)}</span>
              <span className={pnlClass(tick.change)}>{formatPercent(tick.change_percent)}</span>
            </span>
          ) : null}
          <Badge tone={live.mode === 'live' ? 'profit' : 'neutral'}>
            {live.mode === 'live' ? 'Live' : 'Polling'}
          </Badge>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <div className="w-64">
            <SymbolSearch
              label="Chart symbol"
              placeholder="Symbol — SBIN, NFO:NIFTY…"
              onPick={(item) => update({ symbol: symbolKey(item.exchange, item.symbol) })}
            />
          </div>
          <fieldset className="m-0 flex min-w-0 gap-0.5 rounded-md border-0 bg-muted p-0.5">
            <legend className="sr-only">Interval</legend>
            {INTERVALS.map((i) => (
              <button
                key={i.id}
                type="button"
                aria-pressed={i.id === interval.id}
                onClick={() => update({ interval: i.id })}
                className={cn(
                  'h-6 rounded px-2 text-xs',
                  i.id === interval.id ? 'bg-card font-semibold text-foreground' : 'text-muted-foreground',
                )}
              >
                {i.label}
              </button>
            ))}
          </fieldset>
          <Button size="sm" variant="buy" onClick={() => openTicket({ exchange, symbol, action: 'BUY' })}>
            Buy
          </Button>
          <Button size="sm" variant="sell" onClick={() => openTicket({ exchange, symbol, action: 'SELL' })}>
            Sell
          </Button>
        </div>
      </CardHeader>
      {history.isPending ? (
        <LoadingState label="Loading candles…" />
      ) : history.isError ? (
        isNotAvailable(history.error) ? (
          <NotAvailableState feature="Charts" route="GET /web/market/history" />
        ) : (
          <ErrorState error={history.error} onRetry={() => void history.refetch()} />
        )
      ) : bars.length === 0 ? (
        <EmptyState title="No candles for this range">
          The broker returned no history for {key} at {interval.label}.
        </EmptyState>
      ) : (
        <Suspense fallback={<LoadingState label="Loading the chart…" />}>
          <CandleChart bars={bars} symbolKey={key} seconds={interval.seconds} />
        </Suspense>
      )}
    </Card>
  );
}
