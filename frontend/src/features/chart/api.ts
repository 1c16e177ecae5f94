import { queryOptions } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { Candle, Envelope } from '@/lib/api/pending';
import { type ChartInterval, rangeFor } from './candles';

/** Candles for one symbol and interval, ending today (GET /web/market/history). */
export function historyQuery(key: string, interval: ChartInterval) {
  const [exchange = '', symbol = ''] = key.split(':');
  return queryOptions({
    queryKey: ['history', key, interval],
    queryFn: async ({ signal }) =>
      unwrap(
        (
          await api.GET('/web/market/history', {
            params: { query: { exchange, symbol, interval, ...rangeFor(interval, Date.now()) } },
            signal,
          })
        ).data as Envelope<Candle[]>,
      ),
    enabled: exchange.length > 0 && symbol.length > 0,
    staleTime: 60_000,
    retry: false,
  });
}
