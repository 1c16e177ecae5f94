import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { ORDER_EVENTS, onServerEvents } from './socket';

export const BOOK_KEYS = [
  ['orders'],
  ['trades'],
  ['positions'],
  ['holdings'],
  ['funds'],
  ['analyzer'],
] as const;

/** Mounted once in the shell: any order/position event refreshes the books (debounced). */
export function useOrderEventsRefresh(delayMs = 150): void {
  const client = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const off = onServerEvents(ORDER_EVENTS, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        for (const key of BOOK_KEYS) void client.invalidateQueries({ queryKey: key });
      }, delayMs);
    });
    return () => {
      clearTimeout(timer);
      off();
    };
  }, [client, delayMs]);
}
