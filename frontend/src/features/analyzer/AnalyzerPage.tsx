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
  formatIstDateTime,
  formatIstTime,
  formatPnl,
  pnlClass,
  toEpochMs,
} from '@/lib/format';
import { analyzerLogQuery, analyzerQuery, useResetAnalyzer, useToggleAnalyzer } from './api';

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
  const state = useQuery(analyzerQuery);
  const log = useQuery(analyzerLogQuery);
  const toggle = useToggleAnalyzer();
  const reset = useResetAnalyzer();
  const s = state.data;

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
            <NotAvailableState feature="Analyzer controls" route="GET /web/analyzer" />
          ) : (
            <ErrorState error={state.error} onRetry={() => void state.refetch()} />
          )
        ) : s ? (
          <CardContent className="space-y-3">
            <div className="grid grid-cols-2 gap-2 md:grid-cols-5">
              <Stat label="Starting capital" value={formatCompact(s.starting_capital, { rupee: true })} />
              <Stat label="Available" value={formatCompact(s.available, { rupee: true })} />
              <Stat label="Used margin" value={formatCompact(s.used_margin, { rupee: true })} />
              <Stat label="Realised" value={formatPnl(s.realized_pnl)} className={pnlClass(s.realized_pnl)} />
              <Stat
                label="Unrealised"
                value={formatPnl(s.unrealized_pnl)}
                className={pnlClass(s.unrealized_pnl)}
              />
            </div>
            <ConfirmButton
              title="Reset paper capital?"
              description="All paper orders, trades and positions are deleted and funds return to the starting capital."
              confirmLabel="Reset"
              size="sm"
              onConfirm={() => reset.mutateAsync()}
            >
              Reset capital
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
