/**
 * Keep the ticks store fresh for a set of symbols. Socket.IO pushes when it can; every two
 * seconds the symbols without a recent tick (socket down, or the server has no feed for them)
 * are fetched from the quotes route instead, so prices move either way.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { fetchQuotes } from '@/lib/api/market';
import { useTicks } from '@/stores/ticks';
import { subscribeQuotes, useFeedErrors, useSocketState } from './socket';

export const POLL_MS = 2000;
const STALE_MS = 4000;

export function staleKeys(
  keys: string[],
  ticks: Record<string, { updatedAt: number } | undefined>,
  now: number,
): string[] {
  return keys.filter((key) => {
    const tick = ticks[key];
    return !tick || now - tick.updatedAt > STALE_MS;
  });
}

export function useLiveQuotes(keys: string[]) {
  const stable = useMemo(() => [...new Set(keys)].sort(), [keys]);
  const joined = stable.join(',');
  const socketState = useSocketState((s) => s.state);
  const feedErrors = useFeedErrors((s) => s.errors);

  useEffect(() => {
    if (!joined) return undefined;
    return subscribeQuotes(joined.split(','));
  }, [joined]);

  const pushed = socketState === 'connected' && stable.every((key) => !feedErrors[key]);
  const query = useQuery({
    queryKey: ['quotes', joined],
    queryFn: async () => {
      const due = pushed ? staleKeys(stable, useTicks.getState().ticks, Date.now()) : stable;
      if (due.length === 0) return 0;
      const quotes = await fetchQuotes(due);
      useTicks.getState().applyMany(Object.entries(quotes));
      return due.length;
    },
    enabled: joined.length > 0,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
    staleTime: 0,
  });
  return {
    mode: pushed ? ('live' as const) : ('polling' as const),
    error: query.error,
    isLoading: query.isLoading,
  };
}
