import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './envelope';
import type { BrokerSession, Envelope, Status, TradingProfile } from './pending';

/** Broker connection and analyzer mode for the top bar and the dashboard. */
export const statusQuery = queryOptions({
  queryKey: ['status'],
  queryFn: async (): Promise<Status> => {
    const [profile, session] = await Promise.all([
      api.GET('/web/trading/profile').then((r) => unwrap(r.data as Envelope<TradingProfile>)),
      api.GET('/web/trading/broker-session').then((r) => unwrap(r.data as Envelope<BrokerSession>)),
    ]);
    return {
      broker: profile.broker,
      broker_connected: session.state === 'connected',
      broker_state: session.message || session.state,
      analyzer_mode: profile.analyze_mode,
      market_open: typeof profile.market_open === 'boolean' ? profile.market_open : null,
      market_message: profile.market_message ?? '',
    };
  },
  refetchInterval: 30_000,
});
