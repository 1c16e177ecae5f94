import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { BrokerInfo, BrokerSession, Envelope, TradingProfile } from '@/lib/api/pending';
import { BOOK_KEYS } from '@/lib/realtime/order-events';

export const brokersQuery = queryOptions({
  queryKey: ['broker', 'list'],
  queryFn: async () => unwrap((await api.GET('/web/trading/brokers')).data as Envelope<BrokerInfo[]>),
  staleTime: 5 * 60_000,
});

export const brokerProfileQuery = queryOptions({
  queryKey: ['broker', 'profile'],
  queryFn: async () => unwrap((await api.GET('/web/trading/profile')).data as Envelope<TradingProfile>),
});

export const brokerSessionQuery = queryOptions({
  queryKey: ['broker', 'session'],
  queryFn: async () => unwrap((await api.GET('/web/trading/broker-session')).data as Envelope<BrokerSession>),
  refetchInterval: 30_000,
});

/** Trade through another installed broker; books, funds and status follow it. */
export function useChooseBroker() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (broker: string) =>
      unwrap(
        (await api.PUT('/web/trading/broker', { body: { broker } })).data as Envelope<{ broker: string }>,
      ),
    onSettled: () =>
      Promise.all(
        [['broker'], ['status'], ['analyzer'], ['funds'], ...BOOK_KEYS].map((queryKey) =>
          client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}
