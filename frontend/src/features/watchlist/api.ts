/**
 * Watchlists per user, on the server (GET/POST /web/watchlists, PUT/DELETE /web/watchlists/{id}).
 * Edits show at once (the cache is updated before the call) and roll back with a toast when the
 * server refuses (duplicate name, unknown symbol).
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api/client';
import { unwrap } from '@/lib/api/envelope';
import type { Envelope, Watchlist, WatchlistBody } from '@/lib/api/pending';
import { toast } from '@/stores/toasts';

const KEY = ['watchlists'] as const;

export const watchlistsQuery = queryOptions({
  queryKey: KEY,
  queryFn: async () => unwrap((await api.GET('/web/watchlists')).data as Envelope<Watchlist[]>),
  staleTime: 60_000,
});

const body = (list: WatchlistBody): WatchlistBody => ({ name: list.name, items: list.items });

export function useCreateWatchlist() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (list: WatchlistBody) =>
      unwrap((await api.POST('/web/watchlists', { body: body(list) })).data as Envelope<Watchlist>),
    onSuccess: (created) => client.setQueryData<Watchlist[]>(KEY, (lists = []) => [...lists, created]),
    onError: (error) => toast.error('Watchlist not created', { description: error.message }),
  });
}

/** Replace a list (rename, add or remove symbols). */
/** The newest copy of a list (edits build on the cache, not on a render that may be stale). */
export function useLatestWatchlist() {
  const client = useQueryClient();
  return (list: Watchlist): Watchlist =>
    client.getQueryData<Watchlist[]>(KEY)?.find((l) => l.id === list.id) ?? list;
}

export function useSaveWatchlist() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (list: Watchlist) =>
      unwrap(
        (
          await api.PUT('/web/watchlists/{watchlist_id}', {
            params: { path: { watchlist_id: list.id } },
            body: body(list),
          })
        ).data as Envelope<Watchlist>,
      ),
    // Synchronous on purpose: the next edit (a quick second click) builds on this one.
    onMutate: (list) => {
      const previous = client.getQueryData<Watchlist[]>(KEY);
      client.setQueryData<Watchlist[]>(KEY, (lists = []) => lists.map((l) => (l.id === list.id ? list : l)));
      return { previous };
    },
    onSuccess: (saved) =>
      client.setQueryData<Watchlist[]>(KEY, (lists = []) =>
        lists.map((l) => (l.id === saved.id ? saved : l)),
      ),
    onError: (error, _list, context) => {
      if (context?.previous) client.setQueryData(KEY, context.previous);
      void client.invalidateQueries({ queryKey: KEY });
      toast.error('Watchlist not saved', { description: error.message });
    },
  });
}

export function useDeleteWatchlist() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) =>
      api.DELETE('/web/watchlists/{watchlist_id}', { params: { path: { watchlist_id: id } } }),
    onSuccess: (_result, id) =>
      client.setQueryData<Watchlist[]>(KEY, (lists = []) => lists.filter((l) => l.id !== id)),
    onError: (error) => toast.error('Watchlist not deleted', { description: error.message }),
  });
}
