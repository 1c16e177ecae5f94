import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import type { ApiLogEntry, LatencyRow, TrafficEntry } from '@/lib/api/pending';
import { sessionQuery } from '@/lib/api/session';
import { cn } from '@/lib/cn';
import { formatIstDateTime, formatIstTime, formatNumber, toEpochMs } from '@/lib/format';
import { apiLogQuery, latencyQuery, trafficQuery } from './api';

type Tab = 'traffic' | 'api' | 'latency';

const statusTone = (status: number) => (status >= 500 ? 'loss' : status >= 400 ? 'warning' : 'profit');

const trafficColumns: Column<TrafficEntry>[] = [
  {
    id: 'time',
    header: 'Time',
    cell: (r) => <span title={formatIstDateTime(r.timestamp)}>{formatIstTime(r.timestamp)}</span>,
    sortValue: (r) => toEpochMs(r.timestamp),
  },
  { id: 'method', header: 'Method', cell: (r) => <code>{r.method}</code>, sortValue: (r) => r.method },
  {
    id: 'path',
    header: 'Path',
    cell: (r) => <code className="break-all">{r.path}</code>,
    sortValue: (r) => r.path,
  },
  {
    id: 'status',
    header: 'Status',
    cell: (r) => <Badge tone={statusTone(r.status)}>{r.status}</Badge>,
    sortValue: (r) => r.status,
  },
  {
    id: 'duration',
    header: 'ms',
    cell: (r) => formatNumber(r.duration_ms, 1),
    sortValue: (r) => r.duration_ms,
    numeric: true,
  },
  {
    id: 'ip',
    header: 'Client IP',
    cell: (r) => <span className="font-mono text-muted-foreground">{r.client_ip}</span>,
  },
];

const apiColumns: Column<ApiLogEntry>[] = [
  {
    id: 'time',
    header: 'Time',
    cell: (r) => <span title={formatIstDateTime(r.timestamp)}>{formatIstTime(r.timestamp)}</span>,
    sortValue: (r) => toEpochMs(r.timestamp),
  },
  { id: 'path', header: 'Endpoint', cell: (r) => <code>{r.path}</code>, sortValue: (r) => r.path },
  {
    id: 'status',
    header: 'Status',
    cell: (r) => <Badge tone={statusTone(r.status)}>{r.status}</Badge>,
    sortValue: (r) => r.status,
  },
  {
    id: 'duration',
    header: 'ms',
    cell: (r) => formatNumber(r.duration_ms, 1),
    sortValue: (r) => r.duration_ms,
    numeric: true,
  },
  {
    id: 'request',
    header: 'Request / response',
    cell: (r) => (
      <details>
        <summary className="cursor-pointer text-muted-foreground">view</summary>
        <pre className="max-w-xl overflow-x-auto font-mono text-[11px]">
          {JSON.stringify({ request: r.request, response: r.response }, null, 2)}
        </pre>
      </details>
    ),
  },
];

/** A latency figure in milliseconds, one decimal, sortable. */
function msColumn(key: 'p50_ms' | 'p90_ms' | 'p99_ms' | 'max_ms', label: string): Column<LatencyRow> {
  return {
    id: label,
    header: `${label} ms`,
    cell: (r) => formatNumber(r[key], 1),
    sortValue: (r) => r[key],
    numeric: true,
  };
}

const latencyColumns: Column<LatencyRow>[] = [
  { id: 'broker', header: 'Broker', cell: (r) => r.broker, sortValue: (r) => r.broker },
  {
    id: 'operation',
    header: 'Operation',
    cell: (r) => (r.operation === '*' ? <strong>all</strong> : r.operation),
    sortValue: (r) => r.operation,
  },
  {
    id: 'count',
    header: 'Calls',
    cell: (r) => formatNumber(r.count, 0),
    sortValue: (r) => r.count,
    numeric: true,
  },
  {
    id: 'errors',
    header: 'Errors',
    cell: (r) => <span className={r.errors ? 'text-loss' : undefined}>{r.errors}</span>,
    sortValue: (r) => r.errors,
    numeric: true,
  },
  msColumn('p50_ms', 'p50'),
  msColumn('p90_ms', 'p90'),
  msColumn('p99_ms', 'p99'),
  msColumn('max_ms', 'max'),
];

function QueryView<T>({
  query,
  route,
  empty,
  children,
}: {
  query: UseQueryResult<T[]>;
  route: string;
  empty: string;
  children: (rows: T[]) => ReactNode;
}) {
  if (query.isPending) return <LoadingState />;
  if (query.isError)
    return isNotAvailable(query.error) ? (
      <NotAvailableState feature="This log" route={route} />
    ) : (
      <ErrorState error={query.error} onRetry={() => void query.refetch()} />
    );
  if (query.data.length === 0) return <EmptyState title={empty} />;
  return <>{children(query.data)}</>;
}

export function LogsPage() {
  const [tab, setTab] = useState<Tab>('traffic');
  const [allUsers, setAllUsers] = useState(false);
  const isAdmin = useQuery(sessionQuery).data?.user?.is_admin ?? false;
  const traffic = useQuery({ ...trafficQuery(allUsers), enabled: tab === 'traffic' });
  const apiLog = useQuery({ ...apiLogQuery, enabled: tab === 'api' });
  const latency = useQuery({ ...latencyQuery(24), enabled: tab === 'latency' });
  const tabs: [Tab, string][] = [
    ['traffic', 'Traffic'],
    ['api', 'API log'],
    ['latency', 'Latency'],
  ];
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h1">Logs</CardTitle>
        <div className="flex items-center gap-1" role="tablist" aria-label="Log type">
          {tabs.map(([id, label]) => (
            <button
              key={id}
              type="button"
              role="tab"
              aria-selected={tab === id}
              onClick={() => setTab(id)}
              className={cn(
                'h-7 rounded-md px-2 text-xs',
                tab === id ? 'bg-accent font-semibold' : 'text-muted-foreground hover:bg-accent',
              )}
            >
              {label}
            </button>
          ))}
          {isAdmin && tab === 'traffic' ? (
            <label className="ml-2 flex items-center gap-1 text-xs text-muted-foreground">
              <input type="checkbox" checked={allUsers} onChange={(e) => setAllUsers(e.target.checked)} /> all
              users
            </label>
          ) : null}
        </div>
      </CardHeader>
      <div role="tabpanel">
        {tab === 'traffic' ? (
          <QueryView query={traffic} route="GET /web/logs/traffic" empty="No requests logged yet">
            {(rows) => (
              <DataTable
                label="Traffic log"
                rows={rows}
                columns={trafficColumns}
                rowKey={(r) => String(r.id)}
                initialSort={{ id: 'time', dir: 'desc' }}
              />
            )}
          </QueryView>
        ) : null}
        {tab === 'api' ? (
          <QueryView query={apiLog} route="GET /web/logs/api" empty="No API calls logged yet">
            {(rows) => (
              <DataTable
                label="API log"
                rows={rows}
                columns={apiColumns}
                rowKey={(r) => String(r.id)}
                initialSort={{ id: 'time', dir: 'desc' }}
              />
            )}
          </QueryView>
        ) : null}
        {tab === 'latency' ? (
          <QueryView
            query={latency}
            route="GET /web/logs/latency"
            empty="No broker calls in the last 24 hours"
          >
            {(rows) => (
              <DataTable
                label="Latency"
                rows={rows}
                columns={latencyColumns}
                rowKey={(r) => `${r.broker}:${r.operation}`}
              />
            )}
          </QueryView>
        ) : null}
      </div>
    </Card>
  );
}
