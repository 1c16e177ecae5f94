import type { Watchlist } from '@/lib/api/pending';
import { itemKey, legacyLists, nextName, pickActive, withItem, withoutItem } from './lists';

const list: Watchlist = { id: 7, name: 'Banks', items: [{ exchange: 'NSE', symbol: 'SBIN' }] };

describe('watchlist edits', () => {
  it('adds symbols once, upper-cased, and removes them by key', () => {
    expect(withItem(list, { exchange: 'nse', symbol: 'hdfcbank' })?.items).toEqual([
      { exchange: 'NSE', symbol: 'SBIN' },
      { exchange: 'NSE', symbol: 'HDFCBANK' },
    ]);
    expect(withItem(list, { exchange: 'NSE', symbol: 'sbin' })).toBeNull();
    expect(withoutItem(list, 'nse:sbin').items).toEqual([]);
    expect(itemKey({ exchange: 'nfo', symbol: 'nifty26jan27fut' })).toBe('NFO:NIFTY26JAN27FUT');
  });

  it('names new lists after the free number and falls back to the first list', () => {
    expect(nextName([])).toBe('Watchlist 1');
    expect(nextName([list, { ...list, id: 8, name: 'Watchlist 3' }])).toBe('Watchlist 4');
    expect(nextName([{ ...list, name: 'Watchlist 2' }])).toBe('Watchlist 3');
    expect(pickActive([list], 99)).toBe(list);
    expect(pickActive([], null)).toBeUndefined();
  });

  it('reads lists an earlier version saved in the browser, skipping empty or broken ones', () => {
    const saved = JSON.stringify({
      state: {
        lists: [
          { id: 1, name: 'Watchlist 1', items: [{ symbol: 'sbin', exchange: 'nse' }] },
          { id: 2, name: 'Empty', items: [] },
          { id: 3, items: 'nope' },
        ],
        activeId: 1,
      },
      version: 0,
    });
    expect(legacyLists(saved)).toEqual([
      { name: 'Watchlist 1', items: [{ exchange: 'NSE', symbol: 'SBIN' }] },
    ]);
    expect(legacyLists(null)).toEqual([]);
    expect(legacyLists('{not json')).toEqual([]);
  });
});
