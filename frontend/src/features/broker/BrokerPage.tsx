import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import type { BrokerInfo, BrokerSession } from '@/lib/api/pending';
import { formatIstDateTime } from '@/lib/format';
import { toast } from '@/stores/toasts';
import { brokerProfileQuery, brokerSessionQuery, brokersQuery, useChooseBroker } from './api';
import { BrokerLoginCard } from './BrokerLoginCard';

const NO_LOGIN = 'none';

/** Session states (backend/domains/brokers/sessions.py): not_connected, connected, expiring, expired, re_authenticating. */
function sessionTone(state: string): 'profit' | 'loss' | 'warning' | 'neutral' {
  if (state === 'connected') return 'profit';
  if (state === 'expired' || state === 'not_connected') return 'loss';
  if (state === 'expiring') return 'warning';
  return 'neutral';
}

function SessionSummary({ session, broker }: { session: BrokerSession; broker: BrokerInfo | undefined }) {
  const noLogin = broker?.auth_type === NO_LOGIN;
  return (
    <CardContent className="space-y-2 text-xs" data-testid="broker-session">
      <div className="flex items-center gap-2">
        <span className="text-sm font-semibold">{broker?.display_name ?? session.broker}</span>
        <Badge tone={sessionTone(session.state)} data-testid="broker-session-state">
          {session.state.replaceAll('_', ' ')}
        </Badge>
      </div>
      {noLogin ? (
        <p className="text-muted-foreground">
          No login needed: the built-in simulated market is always connected.
        </p>
      ) : null}
      {session.message ? <p className="text-muted-foreground">{session.message}</p> : null}
      {session.expires_at ? (
        <p className="text-muted-foreground">Session expires {formatIstDateTime(session.expires_at)} IST</p>
      ) : null}
    </CardContent>
  );
}

export function BrokerPage() {
  const brokers = useQuery(brokersQuery);
  const profile = useQuery(brokerProfileQuery);
  const session = useQuery(brokerSessionQuery);
  const choose = useChooseBroker();
  const current = profile.data?.broker ?? session.data?.broker;
  const currentInfo = brokers.data?.find((b) => b.name === current);

  const columns: Column<BrokerInfo>[] = [
    {
      id: 'name',
      header: 'Broker',
      cell: (b) => (
        <span>
          <span className="font-medium">{b.display_name}</span>{' '}
          <code className="text-muted-foreground">{b.name}</code>
        </span>
      ),
      sortValue: (b) => b.display_name,
    },
    {
      id: 'auth',
      header: 'Login',
      cell: (b) => (b.auth_type === NO_LOGIN ? 'none' : b.auth_type),
      sortValue: (b) => b.auth_type,
    },
    { id: 'family', header: 'Family', cell: (b) => b.family ?? '—' },
    {
      id: 'use',
      header: '',
      cell: (b) =>
        b.name === current ? (
          <Badge tone="profit">Current</Badge>
        ) : (
          <ConfirmButton
            title={`Trade through ${b.display_name}?`}
            description={
              b.auth_type === NO_LOGIN
                ? 'Orders, books and funds come from this broker from now on.'
                : `Orders, books and funds come from ${b.display_name} from now on; its login (${b.auth_type}) comes next.`
            }
            confirmLabel="Switch"
            aria-label={`Use ${b.display_name}`}
            onConfirm={() =>
              choose.mutateAsync(b.name).then(() => toast.success(`Now trading through ${b.display_name}`))
            }
          >
            Use
          </ConfirmButton>
        ),
    },
  ];

  return (
    <div className="space-y-3">
      <Card>
        <CardHeader>
          <CardTitle as="h1">Broker</CardTitle>
        </CardHeader>
        {session.isPending ? (
          <LoadingState />
        ) : session.isError ? (
          isNotAvailable(session.error) ? (
            <NotAvailableState feature="Broker session" route="GET /web/trading/broker-session" />
          ) : (
            <ErrorState error={session.error} onRetry={() => void session.refetch()} />
          )
        ) : (
          <SessionSummary session={session.data} broker={currentInfo} />
        )}
      </Card>
      {current && currentInfo && currentInfo.auth_type !== NO_LOGIN ? (
        <BrokerLoginCard broker={current} />
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>Installed brokers</CardTitle>
        </CardHeader>
        {brokers.isPending ? (
          <LoadingState />
        ) : brokers.isError ? (
          isNotAvailable(brokers.error) ? (
            <NotAvailableState feature="Broker list" route="GET /web/trading/brokers" />
          ) : (
            <ErrorState error={brokers.error} onRetry={() => void brokers.refetch()} />
          )
        ) : brokers.data.length === 0 ? (
          <EmptyState title="No brokers installed" />
        ) : (
          <DataTable
            label="Brokers"
            rows={brokers.data}
            columns={columns}
            rowKey={(b) => b.name}
            initialSort={{ id: 'name', dir: 'asc' }}
          />
        )}
      </Card>
    </div>
  );
}
