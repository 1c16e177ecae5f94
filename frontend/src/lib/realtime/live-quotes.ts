/**
 * Keep the ticks store fresh for a set of symbols: Socket.IO pushes when connected; otherwise the
 * quotes route is polled every two seconds so prices still move (and the view says "Polling").
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { fetchQuotes } from '@/lib/api/market';
import { symbolKey, useTicks } from '@/stores/ticks';
import { subscribeQuotes, useSocketState } from './socket';

export const POLL_MS = 2000;

export function useLiveQuotes(keys: string[]) {
  const stable = useMemo(() => [...new Set(keys)].sort(), [keys]);
  const joined = stable.join(',');
  const socketState = useSocketState((s) => s.state);

  useEffect(() => {
    if (!joined) return undefined;
    return subscribeQuotes(joined.split(','));
  }, [joined]);

  const polling = socketState !== 'connected';
  const query = useQuery({
    queryKey: ['quotes', joined],
    queryFn: async () => {
      const quotes = await fetchQuotes(joined.split(','));
      useTicks.getState().applyMany(quotes.map((q) => [symbolKey(q.exchange, q.symbol), q]));
      return quotes.length;
    },
    enabled: polling && joined.length > 0,
    refetchInterval: POLL_MS,
    refetchIntervalInBackground: false,
  });
  return {
    mode: polling ? ('polling' as const) : ('live' as const),
    error: query.error,
    isLoading: query.isLoading,
  };
}
