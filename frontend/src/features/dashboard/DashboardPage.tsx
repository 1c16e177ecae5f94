import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Link } from 'react-router';
import { paths } from '@/app/paths';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Stat } from '@/components/ui/stat';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import { statusQuery } from '@/lib/api/status';
import { cn } from '@/lib/cn';
import {
  formatCompact,
  formatINR,
  formatIstDateTime,
  formatPnl,
  formatQty,
  pnlClass,
  toNumber,
} from '@/lib/format';
import { fundsQuery, positionsSummaryQuery } from './api';

function Section({
  title,
  children,
  aside,
}: {
  title: string;
  children: React.ReactNode;
  aside?: React.ReactNode;
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {aside}
      </CardHeader>
      {children}
    </Card>
  );
}

/** Marks the first paint of the dashboard so the e2e run can report time to first render. */
function useFirstRenderMark(name: string) {
  useEffect(() => {
    if (performance.getEntriesByName(name).length === 0) performance.mark(name);
  }, [name]);
}

export function DashboardPage() {
  useFirstRenderMark('dashboard-rendered');
  const funds = useQuery(fundsQuery);
  const positions = useQuery(positionsSummaryQuery);
  const status = useQuery(statusQuery);
  const f = funds.data;
  const open = (positions.data ?? []).filter((p) => p.quantity !== 0);
  const dayPnl = (positions.data ?? []).reduce((sum, p) => sum + (toNumber(p.pnl) ?? 0), 0);

  return (
    <div className="space-y-3" data-testid="dashboard">
      <div className="flex items-baseline justify-between">
        <h1 className="text-base font-semibold">Dashboard</h1>
        <span className="num text-xs text-muted-foreground">{formatIstDateTime(Date.now())}</span>
      </div>

      <Section title="Funds">
        {funds.isPending ? (
          <LoadingState />
        ) : funds.isError ? (
          isNotAvailable(funds.error) ? (
            <NotAvailableState feature="Funds" route="GET /web/trading/funds" />
          ) : (
            <ErrorState error={funds.error} onRetry={() => void funds.refetch()} />
          )
        ) : f ? (
          <CardContent className="grid grid-cols-2 gap-2 md:grid-cols-5">
            <Stat
              label="Available"
              value={formatCompact(f.availablecash, { rupee: true })}
              hint={formatINR(f.availablecash)}
            />
            <Stat
              label="Used margin"
              value={formatCompact(f.utiliseddebits, { rupee: true })}
              hint={formatINR(f.utiliseddebits)}
            />
            <Stat
              label="Collateral"
              value={formatCompact(f.collateral, { rupee: true })}
              hint={formatINR(f.collateral)}
            />
            <Stat
              label="Unrealised"
              value={formatPnl(f.m2munrealized)}
              className={pnlClass(f.m2munrealized)}
            />
            <Stat label="Realised" value={formatPnl(f.m2mrealized)} className={pnlClass(f.m2mrealized)} />
          </CardContent>
        ) : (
          <EmptyState title="No fund data from the broker" />
        )}
      </Section>

      <div className="grid gap-3 lg:grid-cols-3">
        <Section
          title="Open positions"
          aside={
            <Link to={paths.positions} className="text-xs text-primary hover:underline">
              All positions
            </Link>
          }
        >
          {positions.isPending ? (
            <LoadingState />
          ) : positions.isError ? (
            isNotAvailable(positions.error) ? (
              <NotAvailableState feature="Positions" route="GET /web/trading/positions" />
            ) : (
              <ErrorState error={positions.error} onRetry={() => void positions.refetch()} />
            )
          ) : (
            <CardContent className="space-y-2">
              <div className="flex items-baseline justify-between">
                <span className="text-xs text-muted-foreground">Day P&amp;L</span>
                <span className={cn('num text-lg font-semibold', pnlClass(dayPnl))} data-testid="day-pnl">
                  {formatPnl(dayPnl)}
                </span>
              </div>
              {open.length === 0 ? (
                <p className="text-xs text-muted-foreground">No open positions.</p>
              ) : (
                <ul className="divide-y text-xs">
                  {open.slice(0, 8).map((p) => (
                    <li key={`${p.exchange}:${p.symbol}:${p.product}`} className="flex justify-between py-1">
                      <span>
                        {p.symbol} <span className="text-muted-foreground">{formatQty(p.quantity)}</span>
                      </span>
                      <span className={cn('num', pnlClass(p.pnl))}>{formatPnl(p.pnl)}</span>
                    </li>
                  ))}
                </ul>
              )}
            </CardContent>
          )}
        </Section>

        <Section title="Status">
          {status.isPending ? (
            <LoadingState />
          ) : status.isError ? (
            isNotAvailable(status.error) ? (
              <NotAvailableState feature="Broker and market status" route="GET /web/trading/profile" />
            ) : (
              <ErrorState error={status.error} onRetry={() => void status.refetch()} />
            )
          ) : status.data ? (
            <CardContent className="space-y-2 text-xs">
              <Row label="Mode">
                {status.data.analyzer_mode ? (
                  <Badge tone="analyzer">Analyzer (paper)</Badge>
                ) : (
                  <Badge tone="profit">Live</Badge>
                )}
              </Row>
              <Row label="Broker">
                <Badge
                  tone={status.data.broker_connected ? 'profit' : 'loss'}
                  title={status.data.broker_state}
                >
                  {status.data.broker} {status.data.broker_connected ? 'connected' : status.data.broker_state}
                </Badge>
              </Row>
              <Row label="Market">
                {status.data.market_open === null ? (
                  <span className="text-muted-foreground">status not available yet</span>
                ) : (
                  <span className="flex items-center gap-1.5 text-right" data-testid="dashboard-market">
                    <Badge tone={status.data.market_open ? 'profit' : 'neutral'}>
                      {status.data.market_open ? 'Open' : 'Closed'}
                    </Badge>
                    {status.data.market_message ? (
                      <span className="text-muted-foreground">{status.data.market_message}</span>
                    ) : null}
                  </span>
                )}
              </Row>
            </CardContent>
          ) : null}
        </Section>

        <Section title="Shortcuts">
          <CardContent className="space-y-1.5 text-xs text-muted-foreground">
            <p>
              <kbd className="rounded border px-1">B</kbd> buy · <kbd className="rounded border px-1">S</kbd>{' '}
              sell · <kbd className="rounded border px-1">Esc</kbd> close the ticket
            </p>
            <p>
              <Link className="text-primary hover:underline" to={paths.watchlist}>
                Watchlist
              </Link>{' '}
              ·{' '}
              <Link className="text-primary hover:underline" to={paths.chart}>
                Chart
              </Link>{' '}
              ·{' '}
              <Link className="text-primary hover:underline" to={paths.broker}>
                Broker
              </Link>{' '}
              ·{' '}
              <Link className="text-primary hover:underline" to={paths.apikey}>
                API key
              </Link>{' '}
              ·{' '}
              <Link className="text-primary hover:underline" to={paths.analyzer}>
                Analyzer
              </Link>
            </p>
          </CardContent>
        </Section>
      </div>
    </div>
  );
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="flex items-center justify-between">
      <span className="text-muted-foreground">{label}</span>
      {children}
    </div>
  );
}
