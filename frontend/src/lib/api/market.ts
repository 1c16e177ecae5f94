import { queryOptions } from '@tanstack/react-query';
import { api } from './client';
import { unwrap } from './envelope';
import type { Envelope, Exchange, Instrument, Quote } from './pending';

/** The exchanges the search route accepts (it answers 400 for any other); typed exhaustively. */
const EXCHANGE_NAMES: Record<Exchange, true> = {
  NSE: true,
  BSE: true,
  NFO: true,
  BFO: true,
  CDS: true,
  BCD: true,
  MCX: true,
  NCDEX: true,
  NCO: true,
  NSE_INDEX: true,
  BSE_INDEX: true,
  MCX_INDEX: true,
  GLOBAL_INDEX: true,
  CRYPTO: true,
};
export const EXCHANGES = Object.keys(EXCHANGE_NAMES) as Exchange[];

/** "SBIN" → {query: SBIN}; "NFO:NIFTY" → {query: NIFTY, exchange: NFO} when NFO is an exchange. */
export function parseSearch(text: string): { query: string; exchange?: string } {
  const raw = text.trim().toUpperCase();
  const [head, ...rest] = raw.split(':');
  const tail = rest.join(':').trim();
  if (rest.length && head && (EXCHANGES as readonly string[]).includes(head.trim()))
    return { query: tail, exchange: head.trim() };
  return { query: raw };
}

/** Symbol search over the instrument master (GET /web/market/search). */
export function searchQuery(text: string, limit = 20) {
  const { query, exchange } = parseSearch(text);
  return queryOptions({
    queryKey: ['search', query, exchange ?? '', limit],
    queryFn: async ({ signal }) =>
      unwrap(
        (
          await api.GET('/web/market/search', {
            params: { query: { query, limit, ...(exchange ? { exchange } : {}) } },
            signal,
          })
        ).data as Envelope<Instrument[]>,
      ),
    enabled: query.length >= 1 && text.trim().length >= 2,
    staleTime: 5 * 60_000,
  });
}

/** One instrument's master record (lot size, tick size), found by an exact search. */
export function instrumentQuery(exchange: string, symbol: string) {
  const ex = exchange.toUpperCase();
  const sym = symbol.toUpperCase();
  return queryOptions({
    queryKey: ['instrument', ex, sym],
    queryFn: async ({ signal }): Promise<Instrument | null> => {
      if (!(EXCHANGES as readonly string[]).includes(ex)) return null;
      const rows = unwrap(
        (
          await api.GET('/web/market/search', {
            params: { query: { query: sym, exchange: ex, limit: 50 } },
            signal,
          })
        ).data as Envelope<Instrument[]>,
      );
      return rows.find((row) => row.symbol === sym && row.exchange === ex) ?? null;
    },
    enabled: ex.length > 0 && sym.length > 0,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
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
