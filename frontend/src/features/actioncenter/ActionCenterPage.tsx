import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Select } from '@/components/ui/input';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { Switch } from '@/components/ui/switch';
import { profileQuery } from '@/features/analyzer/api';
import { formatIstDateTime, formatIstTime, toEpochMs } from '@/lib/format';
import { toast } from '@/stores/toasts';
import {
  type DecisionResult,
  type PendingOrder,
  type PendingStatus,
  pendingOrdersQuery,
  type StatusFilter,
  useApprove,
  useApproveAll,
  useOrderMode,
  useReject,
  useRejectAll,
} from './api';
import { useActionCenterLive } from './live';
import { TelegramCard } from './TelegramCard';

const STATUS_TONE: Record<PendingStatus, 'warning' | 'profit' | 'loss' | 'neutral'> = {
  pending: 'warning',
  approved: 'profit',
  rejected: 'neutral',
  expired: 'neutral',
  failed: 'loss',
};

function report(result: DecisionResult): void {
  if (result.status === 'success') toast.success(result.message, { description: result.broker_order_id });
  else if (result.status === 'info') toast.info(result.message);
  else
    toast.error(result.message, { description: typeof result.error === 'string' ? result.error : undefined });
}

function fail(error: unknown): void {
  toast.error('Action failed', { description: error instanceof Error ? error.message : String(error) });
}

const baseColumns: Column<PendingOrder>[] = [
  {
    id: 'time',
    header: 'Queued',
    cell: (o) => <span title={formatIstDateTime(o.created_at)}>{formatIstTime(o.created_at)}</span>,
    sortValue: (o) => toEpochMs(o.created_at),
  },
  { id: 'api', header: 'API', cell: (o) => <code>{o.api_type}</code>, sortValue: (o) => o.api_type },
  { id: 'strategy', header: 'Strategy', cell: (o) => o.strategy || '—' },
  {
    id: 'symbol',
    header: 'Symbol',
    cell: (o) => (
      <span>
        {o.symbol}
        {o.exchange ? <span className="text-muted-foreground"> · {o.exchange}</span> : null}
      </span>
    ),
    sortValue: (o) => o.symbol,
  },
  {
    id: 'action',
    header: 'Side',
    cell: (o) => (o.action ? <Badge tone={o.action === 'BUY' ? 'buy' : 'sell'}>{o.action}</Badge> : '—'),
  },
  { id: 'qty', header: 'Qty', cell: (o) => o.quantity ?? '—', numeric: true },
  {
    id: 'status',
    header: 'Status',
    cell: (o) => <Badge tone={STATUS_TONE[o.status]}>{o.status}</Badge>,
    sortValue: (o) => o.status,
  },
];

function PendingActions({ order }: { order: PendingOrder }) {
  const approve = useApprove();
  const reject = useReject();
  const [busy, setBusy] = useState(false);
  const run = (work: Promise<DecisionResult>) => {
    setBusy(true);
    work.then(report, fail).finally(() => setBusy(false));
  };
  return (
    <div className="flex gap-1">
      <Button size="xs" variant="buy" disabled={busy} onClick={() => run(approve.mutateAsync(order.id))}>
        Approve
      </Button>
      <Button
        size="xs"
        variant="outline"
        disabled={busy}
        onClick={() => run(reject.mutateAsync({ id: order.id, reason: 'Rejected from the Action Center' }))}
      >
        Reject
      </Button>
    </div>
  );
}

const pendingColumns: Column<PendingOrder>[] = [
  ...baseColumns,
  { id: 'decide', header: '', cell: (o) => <PendingActions order={o} /> },
];

const historyColumns: Column<PendingOrder>[] = [
  ...baseColumns,
  { id: 'by', header: 'Decided by', cell: (o) => o.decided_by ?? '—' },
  {
    id: 'outcome',
    header: 'Outcome',
    cell: (o) => (
      <span className="text-muted-foreground">
        {o.reason ?? (o.result ? String(o.result.orderid ?? o.result.message ?? o.result.status ?? '') : '')}
      </span>
    ),
  },
];

function OrderModeSwitch() {
  const profile = useQuery(profileQuery);
  const mode = useOrderMode();
  const semiAuto = profile.data?.order_mode === 'semi_auto';
  if (!profile.data) return null;
  return (
    <label className="flex items-center gap-2 text-xs" htmlFor="order-mode-switch">
      {semiAuto ? (
        <Badge tone="warning">Semi-auto · API orders wait for approval</Badge>
      ) : (
        <Badge tone="neutral">Auto · API orders execute at once</Badge>
      )}
      <Switch
        id="order-mode-switch"
        label="Semi-auto order mode"
        checked={semiAuto}
        disabled={mode.isPending}
        onCheckedChange={(on) => mode.mutate(on ? 'semi_auto' : 'auto', { onError: fail })}
      />
    </label>
  );
}

export function ActionCenterPage() {
  useActionCenterLive();
  const pending = useQuery(pendingOrdersQuery('pending'));
  const [filter, setFilter] = useState<StatusFilter>('all');
  const history = useQuery(pendingOrdersQuery(filter));
  const approveAll = useApproveAll();
  const rejectAll = useRejectAll();
  // A row decided a moment ago (here or by another approver) leaves the queue at once.
  const rows = (pending.data?.orders ?? []).filter((o) => o.status === 'pending');
  const stats = pending.data?.statistics;

  return (
    <div className="space-y-3">
      <Card>
        <CardHeader>
          <CardTitle as="h1">Action Center</CardTitle>
          <OrderModeSwitch />
        </CardHeader>
        <CardContent className="space-y-3">
          <p className="text-xs text-muted-foreground">
            In semi-auto mode, orders placed with your API key (scripts, TradingView, Chartink) wait here
            until you approve them. Approval executes once, through your broker or the analyzer. Unapproved
            orders expire at the end of the day.
          </p>
          {stats ? (
            <p className="text-xs" data-testid="action-center-stats">
              {stats.total_pending} pending · {stats.total_approved} approved · {stats.total_rejected}{' '}
              rejected · {stats.total_expired} expired · {stats.total_failed} failed
            </p>
          ) : null}
          <div className="flex gap-2">
            <ConfirmButton
              title="Approve every pending order?"
              description="Each order is executed now, newest first."
              confirmLabel="Approve all"
              size="sm"
              disabled={rows.length === 0}
              onConfirm={() => approveAll.mutateAsync().then(report)}
            >
              Approve all
            </ConfirmButton>
            <ConfirmButton
              title="Reject every pending order?"
              description="Nothing is sent to the broker."
              confirmLabel="Reject all"
              size="sm"
              disabled={rows.length === 0}
              onConfirm={() => rejectAll.mutateAsync().then(report)}
            >
              Reject all
            </ConfirmButton>
          </div>
        </CardContent>
        {pending.isPending ? (
          <LoadingState />
        ) : pending.isError ? (
          <ErrorState error={pending.error} onRetry={() => void pending.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState title="No orders waiting for approval" />
        ) : (
          <DataTable
            label="Pending orders"
            rows={rows}
            columns={pendingColumns}
            rowKey={(o) => String(o.id)}
            initialSort={{ id: 'time', dir: 'desc' }}
          />
        )}
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>History</CardTitle>
          <Select
            aria-label="Filter by status"
            value={filter}
            onChange={(e) => setFilter(e.target.value as StatusFilter)}
          >
            {(['all', 'approved', 'rejected', 'expired', 'failed', 'pending'] as const).map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </CardHeader>
        {history.isPending ? (
          <LoadingState />
        ) : history.isError ? (
          <ErrorState error={history.error} onRetry={() => void history.refetch()} />
        ) : (history.data?.orders ?? []).length === 0 ? (
          <EmptyState title="Nothing here yet" />
        ) : (
          <DataTable
            label="Action Center history"
            rows={history.data?.orders ?? []}
            columns={historyColumns}
            rowKey={(o) => String(o.id)}
            initialSort={{ id: 'time', dir: 'desc' }}
          />
        )}
      </Card>
      <TelegramCard />
    </div>
  );
}
