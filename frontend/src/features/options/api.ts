/**
 * The options views' reads: GET /web/options/* over the session cookie (the same bodies as the
 * API-key endpoints /api/v1/optionchain and /api/v1/options/*). Typed by the generated client.
 */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, data } from '@/lib/api/client';
import type { components } from '@/lib/api/schema';

type Schemas = components['schemas'];
export type ChainResponse = Schemas['OptionChainResponse'];
export type ChainRow = Schemas['ChainRow'];
export type ChainLeg = Schemas['ChainLeg'];
export type GexResponse = Schemas['GexResponse'];
export type SmileResponse = Schemas['SmileResponse'];
export type MaxPainResponse = Schemas['MaxPainResponse'];
export type OIProfileResponse = Schemas['OIProfileResponse'];
export type OITrackerResponse = Schemas['OITrackerResponse'];
export type StraddleChartResponse = Schemas['StraddleChartResponse'];
export type IVHistoryResponse = Schemas['IVHistoryResponse'];
export type VolSurfaceResponse = Schemas['VolSurfaceResponse'];

/** What every options page is looking at. */
export interface Selection {
  underlying: string;
  exchange: string;
  expiry: string | null;
}

export const INTRADAY = ['1m', '3m', '5m', '10m', '15m', '30m'] as const;
export type Intraday = (typeof INTRADAY)[number];

const base = (s: Selection) => ({
  underlying: s.underlying,
  exchange: s.exchange,
  ...(s.expiry ? { expiry_date: s.expiry } : {}),
});
const ready = (s: Selection) => s.underlying.length > 0 && s.exchange.length > 0;
const common = { retry: false, placeholderData: keepPreviousData } as const;

export function expiriesQuery(underlying: string, exchange: string) {
  return queryOptions({
    queryKey: ['options', 'expiries', underlying, exchange],
    queryFn: async ({ signal }) =>
      data(await api.GET('/web/options/expiries', { params: { query: { underlying, exchange } }, signal })),
    enabled: underlying.length > 0 && exchange.length > 0,
    staleTime: 5 * 60_000,
    retry: false,
  });
}

/** The chain snapshot: greeks and OI refresh with it; LTP/bid/ask also move with live ticks. */
export function chainQuery(s: Selection, strikeCount: number, refetchMs: number) {
  return queryOptions({
    queryKey: ['options', 'chain', s, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/chain', {
          params: { query: { ...base(s), strike_count: strikeCount, with_greeks: true } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: refetchMs,
    refetchIntervalInBackground: false,
    ...common,
  });
}

export function gexQuery(s: Selection, strikeCount: number) {
  return queryOptions({
    queryKey: ['options', 'gex', s, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/gex', {
          params: { query: { ...base(s), strike_count: strikeCount } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: 30_000,
    ...common,
  });
}

export function smileQuery(s: Selection, strikeCount: number) {
  return queryOptions({
    queryKey: ['options', 'ivsmile', s, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/ivsmile', {
          params: { query: { ...base(s), strike_count: strikeCount } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: 30_000,
    ...common,
  });
}

export function maxPainQuery(s: Selection, strikeCount: number) {
  return queryOptions({
    queryKey: ['options', 'maxpain', s, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/maxpain', {
          params: { query: { ...base(s), strike_count: strikeCount } },
          signal,
        }),
      ),
    enabled: ready(s),
    ...common,
  });
}

export function oiProfileQuery(s: Selection, strikeCount: number) {
  return queryOptions({
    queryKey: ['options', 'oiprofile', s, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/oiprofile', {
          params: { query: { ...base(s), strike_count: strikeCount } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: 60_000,
    ...common,
  });
}

export function oiTrackerQuery(s: Selection, strikeCount: number, days: number) {
  return queryOptions({
    queryKey: ['options', 'oitracker', s, strikeCount, days],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/oitracker', {
          params: { query: { ...base(s), strike_count: strikeCount, days } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: 60_000,
    ...common,
  });
}

export function straddleChartQuery(s: Selection, interval: Intraday) {
  return queryOptions({
    queryKey: ['options', 'straddlechart', s, interval],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/straddlechart', { params: { query: { ...base(s), interval } }, signal }),
      ),
    enabled: ready(s),
    refetchInterval: 60_000,
    ...common,
  });
}

export function ivHistoryQuery(s: Selection, interval: Intraday, strike: number | null) {
  return queryOptions({
    queryKey: ['options', 'ivhistory', s, interval, strike],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/ivhistory', {
          params: { query: { ...base(s), interval, ...(strike ? { strike } : {}) } },
          signal,
        }),
      ),
    enabled: ready(s),
    refetchInterval: 60_000,
    ...common,
  });
}

export function volSurfaceQuery(s: Selection, expiries: number, strikeCount: number) {
  return queryOptions({
    queryKey: ['options', 'volsurface', s.underlying, s.exchange, expiries, strikeCount],
    queryFn: async ({ signal }) =>
      data(
        await api.GET('/web/options/volsurface', {
          params: {
            query: { underlying: s.underlying, exchange: s.exchange, expiries, strike_count: strikeCount },
          },
          signal,
        }),
      ),
    enabled: ready(s),
    ...common,
  });
}
