import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { paths, strategyPath } from '@/app/paths';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState } from '@/components/ui/states';
import { type Strategy, strategiesQuery } from './api';

const columns: Column<Strategy>[] = [
  {
    id: 'name',
    header: 'Name',
    cell: (s) => (
      <Link className="text-primary hover:underline" to={strategyPath(s.id)}>
        {s.name}
      </Link>
    ),
    sortValue: (s) => s.name,
  },
  { id: 'platform', header: 'Platform', cell: (s) => s.platform, sortValue: (s) => s.platform },
  { id: 'mode', header: 'Mode', cell: (s) => s.trading_mode },
  {
    id: 'window',
    header: 'Window',
    cell: (s) => (s.is_intraday ? `${s.start_time}–${s.end_time}, exit ${s.squareoff_time}` : 'Positional'),
  },
  { id: 'product', header: 'Product', cell: (s) => s.product },
  {
    id: 'active',
    header: 'Status',
    cell: (s) => <Badge tone={s.is_active ? 'profit' : 'neutral'}>{s.is_active ? 'active' : 'paused'}</Badge>,
  },
];

export function StrategiesPage() {
  const list = useQuery(strategiesQuery);
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1">Strategies</CardTitle>
        <Button asChild size="sm">
          <Link to={paths.strategyNew}>New strategy</Link>
        </Button>
      </CardHeader>
      {list.isPending ? (
        <LoadingState />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : (list.data ?? []).length === 0 ? (
        <EmptyState title="No strategies yet">
          Create one to get a webhook URL for TradingView, Chartink or Amibroker alerts.
        </EmptyState>
      ) : (
        <DataTable label="Strategies" rows={list.data ?? []} columns={columns} rowKey={(s) => String(s.id)} />
      )}
    </Card>
  );
}
