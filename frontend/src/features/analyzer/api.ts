import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { AnalyzerLogEntry, Envelope } from '@/lib/api/pending';

export interface AnalyzerState {
  analyzer_mode: boolean;
  starting_capital: number;
  available: number;
  used_margin: number;
  realized_pnl: number;
  unrealized_pnl: number;
}

export const analyzerQuery = queryOptions({
  queryKey: ['analyzer', 'state'],
  queryFn: async () => unwrap(await requestJson<Envelope<AnalyzerState>>('GET', '/web/analyzer')),
});

export const analyzerLogQuery = queryOptions({
  queryKey: ['analyzer', 'log'],
  queryFn: async () =>
    unwrap(await requestJson<Envelope<AnalyzerLogEntry[]>>('GET', '/web/analyzer/log?limit=200')),
});

function useAnalyzerMutation<V>(fn: (v: V) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: ['analyzer'] }),
        client.invalidateQueries({ queryKey: ['status'] }),
        client.invalidateQueries({ queryKey: ['funds'] }),
      ]),
  });
}

export const useToggleAnalyzer = () =>
  useAnalyzerMutation((enabled: boolean) => requestJson('POST', '/web/analyzer/toggle', { enabled }));
export const useResetAnalyzer = () => useAnalyzerMutation(() => requestJson('POST', '/web/analyzer/reset'));
