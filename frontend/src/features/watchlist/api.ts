import { queryOptions } from '@tanstack/react-query';
import { unwrap } from '@/lib/api/envelope';
import { requestJson } from '@/lib/api/http';
import type { Envelope, Watchlist } from '@/lib/api/pending';

export const watchlistsQuery = queryOptions({
  queryKey: ['watchlists'],
  queryFn: async () => unwrap(await requestJson<Envelope<Watchlist[]>>('GET', '/web/watchlists')),
  staleTime: Number.POSITIVE_INFINITY,
});

export const saveWatchlist = (list: Watchlist) =>
  requestJson('PUT', `/web/watchlists/${list.id}`, { name: list.name, items: list.items });
export const deleteWatchlist = (id: number) => requestJson('DELETE', `/web/watchlists/${id}`);
