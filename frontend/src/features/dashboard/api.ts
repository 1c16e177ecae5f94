import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { Envelope, Funds, Position } from '@/lib/api/pending';

export const fundsQuery = queryOptions({
  queryKey: ['funds'],
  queryFn: async () => unwrap((await api.GET('/web/trading/funds')).data as Envelope<Funds>),
});

// The same key as the positions page: one cache entry, refreshed by the same order events.
export const positionsSummaryQuery = queryOptions({
  queryKey: ['positions'],
  queryFn: async () => unwrap((await api.GET('/web/trading/positions')).data as Envelope<Position[]>),
});
