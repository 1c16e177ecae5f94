import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { AnalyzerLogEntry, Envelope, Funds, TradingProfile } from '@/lib/api/pending';

export const profileQuery = queryOptions({
  queryKey: ['analyzer', 'profile'],
  queryFn: async () => unwrap((await api.GET('/web/trading/profile')).data as Envelope<TradingProfile>),
});

/** In analyzer mode the funds route answers the paper account. */
export const paperFundsQuery = queryOptions({
  queryKey: ['analyzer', 'funds'],
  queryFn: async () => unwrap((await api.GET('/web/trading/funds')).data as Envelope<Funds>),
});

/** Proposed: GET /web/analyzer/log (not in the backend yet). */
export const analyzerLogQuery = queryOptions({
  queryKey: ['analyzer', 'log'],
  queryFn: async () =>
    unwrap(await requestJson<Envelope<AnalyzerLogEntry[]>>('GET', '/web/analyzer/log?limit=200')),
});

function useAnalyzerMutation<V, R = unknown>(fn: (v: V) => Promise<R>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all(
        [['analyzer'], ['status'], ['funds'], ['orders'], ['trades'], ['positions'], ['holdings']].map(
          (queryKey) => client.invalidateQueries({ queryKey }),
        ),
      ),
  });
}

export const useToggleAnalyzer = () =>
  useAnalyzerMutation(
    async (mode: boolean) => (await api.PUT('/web/trading/analyzer', { body: { mode } })).data,
  );

/** Start the paper account afresh; answers the paper funds after the reset. */
export const useResetAnalyzer = () =>
  useAnalyzerMutation(async () =>
    unwrap((await api.POST('/web/trading/analyzer/reset')).data as Envelope<Funds>),
  );
