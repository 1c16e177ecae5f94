import type { UseQueryResult } from '@tanstack/react-query';
import { Download, RefreshCw } from 'lucide-react';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';

interface BookFrameProps<T> {
  title: string;
  route: string;
  query: UseQueryResult<T>;
  isEmpty: (data: T) => boolean;
  emptyTitle: string;
  emptyHint?: ReactNode;
  onExport?: () => void;
  actions?: ReactNode;
  stats?: (data: T) => ReactNode;
  children: (data: T) => ReactNode;
}

/** Shared chrome for the four books: title, refresh, CSV export and the loading/empty/error states. */
export function BookFrame<T>(props: BookFrameProps<T>) {
  const { title, route, query, isEmpty, emptyTitle, emptyHint, onExport, actions, stats, children } = props;
  const data = query.data;
  let body: ReactNode;
  if (query.isPending) body = <LoadingState />;
  else if (query.isError && isNotAvailable(query.error))
    body = <NotAvailableState feature={title} route={route} />;
  else if (query.isError) body = <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  else if (data === undefined || isEmpty(data))
    body = <EmptyState title={emptyTitle}>{emptyHint}</EmptyState>;
  else body = children(data);

  return (
    <div className="space-y-3">
      {data !== undefined && stats ? (
        <div className="grid grid-cols-2 gap-2 md:grid-cols-5">{stats(data)}</div>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle as="h1">{title}</CardTitle>
          <div className="flex items-center gap-1.5">
            {actions}
            <Button
              size="xs"
              variant="outline"
              onClick={() => void query.refetch()}
              aria-label={`Refresh ${title}`}
            >
              <RefreshCw className={query.isFetching ? 'animate-spin' : undefined} />
              Refresh
            </Button>
            {onExport ? (
              <Button size="xs" variant="outline" onClick={onExport} disabled={!data || isEmpty(data)}>
                <Download />
                CSV
              </Button>
            ) : null}
          </div>
        </CardHeader>
        {body}
      </Card>
    </div>
  );
}
