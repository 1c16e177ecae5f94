import { useQuery } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { statusQuery } from '@/lib/api/status';
import { useSocketState } from '@/lib/realtime/socket';

/** Top-bar slots: analyzer badge (impossible to miss), broker connection, market state, live feed. */
export function StatusBar() {
  const status = useQuery(statusQuery);
  const socket = useSocketState((s) => s.state);
  const data = status.data;
  return (
    <section className="flex items-center gap-1.5" aria-label="Platform status">
      {data?.analyzer_mode ? (
        <Badge
          tone="analyzer"
          className="px-2 py-1 text-xs uppercase tracking-wider"
          data-testid="analyzer-badge"
        >
          Analyzer mode · paper orders
        </Badge>
      ) : null}
      {data ? (
        <>
          <Badge tone={data.broker_connected ? 'profit' : 'loss'} title="Broker connection">
            {data.broker} · {data.broker_connected ? 'connected' : data.broker_state}
          </Badge>
          {data.market_open === null ? null : (
            <Badge
              tone={data.market_open ? 'profit' : 'neutral'}
              title={data.market_message}
              data-testid="market-status"
            >
              Market {data.market_open ? 'open' : 'closed'}
            </Badge>
          )}
        </>
      ) : (
        <Badge tone="neutral" title={status.error ? 'Status route not available yet' : 'Loading status'}>
          {status.isPending ? 'Status…' : 'Status unavailable'}
        </Badge>
      )}
      <Badge tone={socket === 'connected' ? 'profit' : 'neutral'} title="Real-time connection">
        <span
          className={
            socket === 'connected'
              ? 'size-1.5 rounded-full bg-profit'
              : 'size-1.5 rounded-full bg-muted-foreground'
          }
        />
        {socket === 'connected' ? 'Live' : 'Polling'}
      </Badge>
    </section>
  );
}
