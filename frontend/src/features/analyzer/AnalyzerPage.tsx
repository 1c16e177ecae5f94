import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Stat } from '@/components/ui/stat';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { isNotAvailable } from '@/lib/api/errors';
import type { AnalyzerLogEntry } from '@/lib/api/pending';
import { cn } from '@/lib/cn';
import {
  formatCompact,
  formatINR,
  formatIstDateTime,
  formatIstTime,
  formatPnl,
  pnlClass,
  toEpochMs,
} from '@/lib/format';
import { toast } from '@/stores/toasts';
import { analyzerLogQuery, paperFundsQuery, profileQuery, useResetAnalyzer, useToggleAnalyzer } from './api';

const logColumns: Column<AnalyzerLogEntry>[] = [
  {
    id: 'time',
    header: 'Time',
    cell: (e) => <span title={formatIstDateTime(e.timestamp)}>{formatIstTime(e.timestamp)}</span>,
    sortValue: (e) => toEpochMs(e.timestamp),
  },
  { id: 'api', header: 'API', cell: (e) => <code>{e.api_type}</code>, sortValue: (e) => e.api_type },
  { id: 'symbol', header: 'Symbol', cell: (e) => e.symbol ?? '—', sortValue: (e) => e.symbol },
  { id: 'action', header: 'Action', cell: (e) => e.action ?? '—' },
  { id: 'qty', header: 'Qty', cell: (e) => e.quantity ?? '—', numeric: true },
  {
    id: 'status',
    header: 'Status',
    cell: (e) => <Badge tone={e.status === 'success' ? 'profit' : 'loss'}>{e.status}</Badge>,
    sortValue: (e) => e.status,
  },
  {
    id: 'message',
    header: 'Message',
    cell: (e) => <span className="text-muted-foreground">{e.message}</span>,
  },
];

export function AnalyzerPage() {
  const state = useQuery(profileQuery);
  const s = state.data ? { analyzer_mode: state.data.analyze_mode } : undefined;
  const funds = useQuery({ ...paperFundsQuery, enabled: s?.analyzer_mode === true });
  const log = useQuery(analyzerLogQuery);
  const toggle = useToggleAnalyzer();
  const reset = useResetAnalyzer();
  const f = funds.data;

  return (
    <div className="space-y-3">
      <Card className={cn(s?.analyzer_mode && 'border-analyzer')}>
        <CardHeader>
          <CardTitle as="h1">Analyzer (paper trading)</CardTitle>
          {s ? (
            <label className="flex items-center gap-2 text-xs" htmlFor="analyzer-switch">
              {s.analyzer_mode ? (
                <Badge tone="analyzer">ON · orders are simulated</Badge>
              ) : (
                <Badge tone="neutral">OFF · orders go to the broker</Badge>
              )}
              <Switch
                id="analyzer-switch"
                label="Analyzer mode"
                checked={s.analyzer_mode}
                disabled={toggle.isPending}
                onCheckedChange={(enabled) => toggle.mutate(enabled)}
              />
            </label>
          ) : null}
        </CardHeader>
        {state.isPending ? (
          <LoadingState />
        ) : state.isError ? (
          isNotAvailable(state.error) ? (
            <NotAvailableState feature="Analyzer controls" route="GET /web/trading/profile" />
          ) : (
            <ErrorState error={state.error} onRetry={() => void state.refetch()} />
          )
        ) : s ? (
          <CardContent className="space-y-3">
            {!s.analyzer_mode ? (
              <p className="text-xs text-muted-foreground">
                Turn the analyzer on to route every order — from this app, the API and webhooks — to the paper
                engine instead of the broker. Market data stays real.
              </p>
            ) : funds.isPending ? (
              <LoadingState />
            ) : funds.isError ? (
              <ErrorState error={funds.error} onRetry={() => void funds.refetch()} />
            ) : f ? (
              <div className="grid grid-cols-2 gap-2 md:grid-cols-5" data-testid="paper-funds">
                <Stat label="Available" value={formatCompact(f.availablecash, { rupee: true })} />
                <Stat label="Used margin" value={formatCompact(f.utiliseddebits, { rupee: true })} />
                <Stat
                  label="Realised"
                  value={formatPnl(f.total_realized_pnl ?? f.m2mrealized)}
                  className={pnlClass(f.total_realized_pnl ?? f.m2mrealized)}
                />
                <Stat
                  label="Unrealised"
                  value={formatPnl(f.m2munrealized)}
                  className={pnlClass(f.m2munrealized)}
                />
                <Stat label="Resets" value={f.reset_count ?? 0} />
              </div>
            ) : null}
            <ConfirmButton
              title="Reset paper capital?"
              description="All paper orders, trades and positions are deleted and funds return to the starting capital."
              confirmLabel="Reset"
              size="sm"
              onConfirm={() =>
                reset.mutateAsync().then((after) =>
                  toast.success('Paper capital reset', {
                    description: `Available ${formatINR(after?.availablecash)}`,
                  }),
                )
              }
            >
              Reset paper capital
            </ConfirmButton>
          </CardContent>
        ) : null}
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>Request log</CardTitle>
        </CardHeader>
        {log.isPending ? (
          <LoadingState />
        ) : log.isError ? (
          isNotAvailable(log.error) ? (
            <NotAvailableState feature="Analyzer request log" route="GET /web/analyzer/log" />
          ) : (
            <ErrorState error={log.error} onRetry={() => void log.refetch()} />
          )
        ) : (log.data ?? []).length === 0 ? (
          <EmptyState title="No analyzer requests yet" />
        ) : (
          <DataTable
            label="Analyzer requests"
            rows={log.data ?? []}
            columns={logColumns}
            rowKey={(e) => String(e.id)}
            initialSort={{ id: 'time', dir: 'desc' }}
          />
        )}
      </Card>
    </div>
  );
}
