/** Watchlists: edited locally (instant), mirrored to the server per user when the route exists. */
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import type { Watchlist } from '@/lib/api/pending';

interface WatchlistState {
  lists: Watchlist[];
  activeId: number;
  setActive: (id: number) => void;
  replaceAll: (lists: Watchlist[]) => void;
  addList: (name: string) => Watchlist;
  removeList: (id: number) => void;
  addItem: (id: number, item: { symbol: string; exchange: string }) => Watchlist | null;
  removeItem: (id: number, key: string) => Watchlist | null;
}

export const DEFAULT_LISTS: Watchlist[] = [{ id: 1, name: 'Watchlist 1', items: [] }];

const keyOf = (item: { symbol: string; exchange: string }) => `${item.exchange}:${item.symbol}`.toUpperCase();

export const useWatchlists = create<WatchlistState>()(
  persist(
    (set, get) => ({
      lists: DEFAULT_LISTS,
      activeId: 1,
      setActive: (id) => set({ activeId: id }),
      replaceAll: (lists) =>
        set((s) => ({
          lists: lists.length ? lists : DEFAULT_LISTS,
          activeId: lists.some((l) => l.id === s.activeId) ? s.activeId : (lists[0]?.id ?? 1),
        })),
      addList: (name) => {
        const id = Math.max(0, ...get().lists.map((l) => l.id)) + 1;
        const list = { id, name, items: [] };
        set((s) => ({ lists: [...s.lists, list], activeId: id }));
        return list;
      },
      removeList: (id) =>
        set((s) => {
          const lists = s.lists.filter((l) => l.id !== id);
          return { lists: lists.length ? lists : DEFAULT_LISTS, activeId: lists[0]?.id ?? 1 };
        }),
      addItem: (id, item) => {
        let changed: Watchlist | null = null;
        set((s) => ({
          lists: s.lists.map((l) => {
            if (l.id !== id || l.items.some((i) => keyOf(i) === keyOf(item))) return l;
            changed = {
              ...l,
              items: [
                ...l.items,
                { symbol: item.symbol.toUpperCase(), exchange: item.exchange.toUpperCase() },
              ],
            };
            return changed;
          }),
        }));
        return changed;
      },
      removeItem: (id, key) => {
        let changed: Watchlist | null = null;
        set((s) => ({
          lists: s.lists.map((l) => {
            if (l.id !== id) return l;
            changed = { ...l, items: l.items.filter((i) => keyOf(i) !== key) };
            return changed;
          }),
        }));
        return changed;
      },
    }),
    { name: 'algogate-watchlists' },
  ),
);
