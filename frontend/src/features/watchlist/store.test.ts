import { DEFAULT_LISTS, useWatchlists } from './store';

describe('watchlist store', () => {
  beforeEach(() => useWatchlists.setState({ lists: DEFAULT_LISTS, activeId: 1 }));

  it('adds symbols once, upper-cased, and removes them by key', () => {
    const { addItem, removeItem } = useWatchlists.getState();
    expect(addItem(1, { symbol: 'sbin', exchange: 'nse' })?.items).toEqual([
      { symbol: 'SBIN', exchange: 'NSE' },
    ]);
    expect(addItem(1, { symbol: 'SBIN', exchange: 'NSE' })).toBeNull();
    expect(removeItem(1, 'NSE:SBIN')?.items).toEqual([]);
  });

  it('keeps several lists and never ends up with none', () => {
    const list = useWatchlists.getState().addList('F&O');
    expect(list.id).toBe(2);
    expect(useWatchlists.getState().activeId).toBe(2);
    useWatchlists.getState().removeList(1);
    useWatchlists.getState().removeList(2);
    expect(useWatchlists.getState().lists).toEqual(DEFAULT_LISTS);
  });
});
