import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { ApiLogEntry, Envelope, LatencyRow, TrafficEntry } from '@/lib/api/pending';

export const trafficQuery = (allUsers: boolean) =>
  queryOptions({
    queryKey: ['logs', 'traffic', allUsers],
    queryFn: async () =>
      unwrap(
        (await api.GET('/web/logs/traffic', { params: { query: { limit: 200, all_users: allUsers } } }))
          .data as Envelope<TrafficEntry[]>,
      ),
    refetchInterval: 10_000,
  });

export const apiLogQuery = queryOptions({
  queryKey: ['logs', 'api'],
  queryFn: async () =>
    unwrap(
      (await api.GET('/web/logs/api', { params: { query: { limit: 200 } } })).data as Envelope<ApiLogEntry[]>,
    ),
  refetchInterval: 10_000,
});

export const latencyQuery = (hours: number) =>
  queryOptions({
    queryKey: ['logs', 'latency', hours],
    queryFn: async () =>
      unwrap(
        (await api.GET('/web/logs/latency', { params: { query: { hours } } })).data as Envelope<LatencyRow[]>,
      ),
    refetchInterval: 30_000,
  });
