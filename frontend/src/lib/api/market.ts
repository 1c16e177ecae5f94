import { queryOptions } from '@tanstack/react-query';
import { unwrap } from './envelope';
import { requestJson } from './http';
import type { Envelope, Instrument, Quote } from './pending';

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

export async function fetchQuotes(keys: string[]): Promise<Quote[]> {
  const params = new URLSearchParams({ symbols: keys.join(',') });
  return unwrap(await requestJson<Envelope<Quote[]>>('GET', `/web/quotes?${params}`));
}
