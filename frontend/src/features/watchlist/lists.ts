/** Pure edits of a watchlist's items (the server stores them; these build the next version). */
import type { Watchlist, WatchlistItem } from '@/lib/api/pending';

export const itemKey = (item: WatchlistItem) => `${item.exchange}:${item.symbol}`.toUpperCase();

/** The list with `item` appended (upper-cased), or null when it is already there. */
export function withItem(list: Watchlist, item: WatchlistItem): Watchlist | null {
  if (list.items.some((i) => itemKey(i) === itemKey(item))) return null;
  return {
    ...list,
    items: [...list.items, { exchange: item.exchange.toUpperCase(), symbol: item.symbol.toUpperCase() }],
  };
}

export function withoutItem(list: Watchlist, key: string): Watchlist {
  return { ...list, items: list.items.filter((i) => itemKey(i) !== key.toUpperCase()) };
}

/** "Watchlist N" with the smallest N not taken. */
export function nextName(lists: Watchlist[]): string {
  const taken = new Set(lists.map((l) => l.name.toLowerCase()));
  let n = lists.length + 1;
  while (taken.has(`watchlist ${n}`)) n += 1;
  return `Watchlist ${n}`;
}

/** The list to show: the chosen one while it exists, else the first. */
export function pickActive(lists: Watchlist[], activeId: number | null): Watchlist | undefined {
  return lists.find((l) => l.id === activeId) ?? lists[0];
}

/** Where earlier versions kept watchlists (zustand `persist`, browser only). */
export const LEGACY_KEY = 'algogate-watchlists';

/** Non-empty lists saved by an earlier version in this browser, for a one-time import. */
export function legacyLists(raw: string | null): { name: string; items: WatchlistItem[] }[] {
  if (!raw) return [];
  try {
    const lists = (JSON.parse(raw) as { state?: { lists?: unknown } }).state?.lists;
    if (!Array.isArray(lists)) return [];
    return lists
      .filter(
        (l): l is { name: string; items: WatchlistItem[] } =>
          !!l && typeof l.name === 'string' && Array.isArray(l.items) && l.items.length > 0,
      )
      .map((l) => ({
        name: l.name.trim().slice(0, 40) || 'Imported',
        items: l.items
          .filter((i) => typeof i?.exchange === 'string' && typeof i?.symbol === 'string')
          .map((i) => ({ exchange: i.exchange.toUpperCase(), symbol: i.symbol.toUpperCase() })),
      }));
  } catch {
    return [];
  }
}
