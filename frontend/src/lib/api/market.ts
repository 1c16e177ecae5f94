import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './envelope';
import { requestJson } from './http';
import type { Envelope, Instrument, Quote } from './pending';

/** Symbol search: no session route yet (GET /web/search is proposed), so this reports "not available". */
export function searchQuery(query: string, exchange?: string) {
  const params = new URLSearchParams({ query });
  if (exchange) params.set('exchange', exchange);
  return queryOptions({
    queryKey: ['search', query, exchange ?? ''],
    queryFn: async () => unwrap(await requestJson<Envelope<Instrument[]>>('GET', `/web/search?${params}`)),
    enabled: query.trim().length >= 2,
    staleTime: 5 * 60_000,
  });
}

/** Snapshot quotes keyed `EXCHANGE:SYMBOL` (the polling fallback of the live feed). */
export async function fetchQuotes(keys: string[]): Promise<Record<string, Quote>> {
  const result = await api.GET('/web/market/quotes', { params: { query: { symbols: keys.join(',') } } });
  return unwrap(result.data as Envelope<Record<string, Quote>>);
}

export interface DepthSnapshot extends Quote {
  bids: { price: number; quantity: number }[];
  asks: { price: number; quantity: number }[];
}

/** Five-level book for one symbol (fallback for the Depth feed). */
export function depthQuery(key: string, enabled: boolean) {
  const [exchange = '', symbol = ''] = key.split(':');
  return queryOptions({
    queryKey: ['depth', key],
    queryFn: async () =>
      unwrap(
        (await api.GET('/web/market/depth', { params: { query: { exchange, symbol } } }))
          .data as Envelope<DepthSnapshot>,
      ),
    enabled: enabled && key.length > 0,
    refetchInterval: 2000,
  });
}
