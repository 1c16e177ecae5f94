import { useQuery } from '@tanstack/react-query';
import { ChartCandlestick, Check, Pencil, Plus, Trash2, X } from 'lucide-react';
import { type FormEvent, lazy, Suspense, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { paths } from '@/app/paths';
import { SymbolSearch } from '@/components/SymbolSearch';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardHeader } from '@/components/ui/card';
import { ConfirmButton } from '@/components/ui/confirm';
import { Input } from '@/components/ui/input';
import { EmptyState, ErrorState, LoadingState, NotAvailableState } from '@/components/ui/states';
import { isNotAvailable } from '@/lib/api/errors';
import { depthQuery } from '@/lib/api/market';
import type { Watchlist, WatchlistItem } from '@/lib/api/pending';
import { cn } from '@/lib/cn';
import { formatINR, formatNumber, formatPercent, formatQty, pnlClass } from '@/lib/format';
import { useLiveQuotes } from '@/lib/realtime/live-quotes';
import { useFeedErrors } from '@/lib/realtime/socket';
import { useTicket } from '@/stores/ticket';
import { type Tick, useTick } from '@/stores/ticks';
import {
  useCreateWatchlist,
  useDeleteWatchlist,
  useLatestWatchlist,
  useSaveWatchlist,
  watchlistsQuery,
} from './api';
import { itemKey, LEGACY_KEY, legacyLists, nextName, pickActive, withItem, withoutItem } from './lists';

// The chart library is loaded only when a quote is opened.
const LiveChart = lazy(() => import('@/components/LiveChart'));

const NO_ITEMS: WatchlistItem[] = [];

export function WatchlistPage() {
  const server = useQuery(watchlistsQuery);
  const create = useCreateWatchlist();
  const save = useSaveWatchlist();
  const remove = useDeleteWatchlist();
  const latest = useLatestWatchlist();
  const [activeId, setActiveId] = useState<number | null>(null);
  const [renaming, setRenaming] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [legacy, setLegacy] = useState(() => legacyLists(localStorage.getItem(LEGACY_KEY)));
  const lists = server.data ?? [];
  const active = pickActive(lists, activeId);
  const items = active?.items ?? NO_ITEMS;
  const keys = useMemo(() => items.map(itemKey), [items]);
  const live = useLiveQuotes(keys);

  if (server.isPending) return <LoadingState label="Loading your watchlists…" />;
  if (server.isError) {
    return isNotAvailable(server.error) ? (
      <NotAvailableState feature="Watchlists" route="GET /web/watchlists" />
    ) : (
      <ErrorState error={server.error} onRetry={() => void server.refetch()} />
    );
  }

  const newList = (items: WatchlistItem[] = []) =>
    create.mutate(
      { name: nextName(lists), items },
      {
        onSuccess: (created) => {
          setActiveId(created.id);
          setRenaming(false);
        },
      },
    );

  const addItem = (item: WatchlistItem) => {
    const picked = { exchange: item.exchange, symbol: item.symbol };
    if (!active) return newList([picked]);
    const next = withItem(latest(active), picked);
    if (next) save.mutate(next);
  };

  const forgetLegacy = () => {
    localStorage.removeItem(LEGACY_KEY);
    setLegacy([]);
  };

  /** Lists an earlier version kept in this browser go to the account once, then are forgotten. */
  const importLegacy = async () => {
    const taken = new Set(lists.map((l) => l.name.toLowerCase()));
    for (const list of legacy) {
      const name = taken.has(list.name.toLowerCase()) ? `${list.name.slice(0, 30)} (browser)` : list.name;
      await create.mutateAsync({ name, items: list.items }).catch(() => {});
    }
    forgetLegacy();
  };

  const rename = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get('name') ?? '').trim();
    if (active && name && name !== active.name) save.mutate({ ...latest(active), name });
    setRenaming(false);
  };

  return (
    <div className="grid gap-3 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <Card>
        <CardHeader className="flex-wrap">
          <div className="flex flex-wrap items-center gap-1" role="tablist" aria-label="Watchlists">
            <h1 className="sr-only">Watchlist</h1>
            {lists.map((l) =>
              renaming && l.id === active?.id ? (
                <form key={l.id} onSubmit={rename} className="flex items-center gap-1">
                  <Input
                    name="name"
                    aria-label="Watchlist name"
                    defaultValue={l.name}
                    maxLength={40}
                    autoFocus
                    className="h-7 w-36"
                    onKeyDown={(e) => {
                      if (e.key === 'Escape') {
                        e.preventDefault();
                        setRenaming(false);
                      }
                    }}
                  />
                  <Button size="xs" variant="ghost" type="submit" aria-label="Save name">
                    <Check />
                  </Button>
                </form>
              ) : (
                <button
                  key={l.id}
                  type="button"
                  role="tab"
                  aria-selected={l.id === active?.id}
                  onClick={() => {
                    setActiveId(l.id);
                    setRenaming(false);
                  }}
                  className={cn(
                    'h-7 rounded-md px-2 text-xs',
                    l.id === active?.id ? 'bg-accent font-semibold' : 'text-muted-foreground hover:bg-accent',
                  )}
                >
                  {l.name} <span className="text-muted-foreground">{l.items.length}</span>
                </button>
              ),
            )}
            <Button
              size="xs"
              variant="ghost"
              aria-label="New watchlist"
              disabled={create.isPending}
              onClick={() => newList()}
            >
              <Plus />
            </Button>
          </div>
          <div className="flex items-center gap-1.5">
            <Badge tone={live.mode === 'live' ? 'profit' : 'neutral'}>
              {live.mode === 'live' ? 'Live' : 'Polling'}
            </Badge>
            <Badge tone="neutral" title="Watchlists are saved to your account">
              {save.isPending || create.isPending ? 'Saving…' : 'Saved'}
            </Badge>
            {active ? (
              <>
                <Button
                  size="xs"
                  variant="ghost"
                  aria-label={`Rename ${active.name}`}
                  onClick={() => setRenaming(true)}
                >
                  <Pencil />
                </Button>
                <ConfirmButton
                  variant="ghost"
                  title={`Delete ${active.name}?`}
                  description={`The list and its ${active.items.length} symbol(s) are removed from your account.`}
                  confirmLabel="Delete"
                  aria-label={`Delete ${active.name}`}
                  onConfirm={() =>
                    remove.mutateAsync(active.id).then(() => {
                      setActiveId(null);
                      setSelected(null);
                    })
                  }
                >
                  <Trash2 />
                </ConfirmButton>
              </>
            ) : null}
          </div>
        </CardHeader>
        {legacy.length > 0 ? (
          <div
            role="note"
            className="flex flex-wrap items-center justify-between gap-2 border-b bg-warning/10 px-3 py-1.5 text-xs"
          >
            <span>{legacy.length} watchlist(s) from an earlier version are saved only in this browser.</span>
            <span className="flex gap-1.5">
              <Button size="xs" disabled={create.isPending} onClick={() => void importLegacy()}>
                Import to my account
              </Button>
              <Button size="xs" variant="ghost" onClick={forgetLegacy}>
                Discard
              </Button>
            </span>
          </div>
        ) : null}
        <div className="border-b p-2">
          <SymbolSearch
            label="Add symbol to watchlist"
            placeholder="Add symbol — SBIN, NFO:NIFTY, NSE_INDEX:NIFTY…"
            onPick={addItem}
          />
        </div>
        {live.error && !isNotAvailable(live.error) ? (
          <p role="alert" className="border-b px-3 py-1.5 text-xs text-loss">
            Quotes failed: {live.error.message}
          </p>
        ) : null}
        {isNotAvailable(live.error) ? (
          <p className="border-b px-3 py-1.5 text-xs text-warning">
            Live quotes are not available yet (GET /web/market/quotes, Socket.IO market_data).
          </p>
        ) : null}
        {!active ? (
          <EmptyState title="No watchlists yet">
            Search above to add a symbol — the first list is created for you.
          </EmptyState>
        ) : active.items.length === 0 ? (
          <EmptyState title="This watchlist is empty">Search above to add symbols.</EmptyState>
        ) : (
          <WatchTable
            list={active}
            selected={selected}
            onSelect={setSelected}
            onRemove={(key) => save.mutate(withoutItem(latest(active), key))}
          />
        )}
      </Card>
      <QuoteDetail id={selected} />
    </div>
  );
}

function WatchTable({
  list,
  selected,
  onSelect,
  onRemove,
}: {
  list: Watchlist;
  selected: string | null;
  onSelect: (key: string | null) => void;
  onRemove: (key: string) => void;
}) {
  return (
    <table className="w-full text-xs" aria-label="Watchlist quotes">
      <thead>
        <tr className="h-7 border-b text-muted-foreground">
          <th scope="col" className="px-2 text-left font-medium">
            Symbol
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            LTP
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            Chg
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            Chg %
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            Bid
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            Ask
          </th>
          <th scope="col" className="w-32" />
        </tr>
      </thead>
      <tbody>
        {list.items.map((item) => {
          const key = itemKey(item);
          return (
            <QuoteRow
              key={key}
              id={key}
              item={item}
              selected={selected === key}
              onSelect={() => onSelect(selected === key ? null : key)}
              onRemove={() => onRemove(key)}
            />
          );
        })}
      </tbody>
    </table>
  );
}

function QuoteRow({
  id,
  item,
  selected,
  onSelect,
  onRemove,
}: {
  id: string;
  item: { symbol: string; exchange: string };
  selected: boolean;
  onSelect: () => void;
  onRemove: () => void;
}) {
  const tick = useTick(id);
  const feedError = useFeedErrors((s) => s.errors[id]);
  const openTicket = useTicket((s) => s.openTicket);
  const flash = tick?.direction === 'up' ? 'text-profit' : tick?.direction === 'down' ? 'text-loss' : '';
  return (
    <tr
      className={cn(
        'group h-8 cursor-pointer border-b border-border/60 hover:bg-accent/50',
        selected && 'bg-accent/70',
      )}
      onClick={onSelect}
      data-testid={`watch-${id}`}
    >
      <td className="px-2">
        <span className="font-medium">{item.symbol}</span>{' '}
        <span className="text-[10px] text-muted-foreground">{item.exchange}</span>
      </td>
      <td className={cn('num px-2 font-semibold', flash)} data-testid="ltp">
        {tick ? (
          formatNumber(tick.ltp)
        ) : feedError ? (
          <span className="text-warning" title={feedError} data-feed-error={feedError}>
            no feed
          </span>
        ) : (
          '—'
        )}
      </td>
      <td className={cn('num px-2', pnlClass(tick?.change))}>
        {tick?.change === undefined ? '—' : formatNumber(tick.change)}
      </td>
      <td className={cn('num px-2', pnlClass(tick?.change))}>{formatPercent(tick?.change_percent)}</td>
      <td className="num px-2 text-muted-foreground">{formatNumber(tick?.bid)}</td>
      <td className="num px-2 text-muted-foreground">{formatNumber(tick?.ask)}</td>
      <td className="px-2">
        <div className="flex justify-end gap-1 opacity-60 group-hover:opacity-100">
          <Button
            size="xs"
            variant="buy"
            aria-label={`Buy ${item.symbol}`}
            onClick={(e) => {
              e.stopPropagation();
              openTicket({ ...item, action: 'BUY' });
            }}
          >
            B
          </Button>
          <Button
            size="xs"
            variant="sell"
            aria-label={`Sell ${item.symbol}`}
            onClick={(e) => {
              e.stopPropagation();
              openTicket({ ...item, action: 'SELL' });
            }}
          >
            S
          </Button>
          <Button size="xs" variant="ghost" asChild>
            <Link
              to={`${paths.chart}?symbol=${encodeURIComponent(id)}`}
              aria-label={`Chart ${item.symbol}`}
              onClick={(e) => e.stopPropagation()}
            >
              <ChartCandlestick />
            </Link>
          </Button>
          <Button
            size="xs"
            variant="ghost"
            aria-label={`Remove ${item.symbol}`}
            onClick={(e) => {
              e.stopPropagation();
              onRemove();
            }}
          >
            <X />
          </Button>
        </div>
      </td>
    </tr>
  );
}

function QuoteDetail({ id }: { id: string | null }) {
  const tick = useTick(id ?? '');
  // The Depth feed brings the ladder; without it, the book is polled for the open quote only.
  const polled = useQuery(depthQuery(id ?? '', !!id && !tick?.depth));
  const book = tick?.depth ?? (polled.data ? { buy: polled.data.bids, sell: polled.data.asks } : undefined);
  return (
    <Card className="self-start">
      <CardHeader>
        <h2 className="text-sm font-semibold">{id ?? 'Quote'}</h2>
      </CardHeader>
      {!id ? (
        <EmptyState title="Click a row">Its quote and depth show here.</EmptyState>
      ) : !tick ? (
        <EmptyState title="Waiting for the first tick" />
      ) : (
        <dl className="grid grid-cols-2 gap-x-3 gap-y-1 p-3 text-xs">
          {(
            [
              ['LTP', formatINR(tick.ltp)],
              ['Open', formatINR(tick.open)],
              ['High', formatINR(tick.high)],
              ['Low', formatINR(tick.low)],
              ['Prev close', formatINR(tick.prev_close)],
              ['Volume', formatQty(tick.volume)],
              ['Best bid', formatINR(tick.bid)],
              ['Best ask', formatINR(tick.ask)],
            ] as const
          ).map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-muted-foreground">{label}</dt>
              <dd className="num">{value}</dd>
            </div>
          ))}
        </dl>
      )}
      {book ? <DepthLadder depth={book} /> : null}
      {id ? (
        <Suspense fallback={null}>
          <LiveChart symbolKey={id} />
        </Suspense>
      ) : null}
    </Card>
  );
}

function DepthLadder({ depth }: { depth: NonNullable<Tick['depth']> }) {
  const rows = Array.from(
    { length: Math.max(depth.buy.length, depth.sell.length) },
    (_, i) => [depth.buy[i], depth.sell[i]] as const,
  );
  const maxQty = Math.max(1, ...depth.buy.map((l) => l.quantity), ...depth.sell.map((l) => l.quantity));
  return (
    <table className="w-full border-t text-xs" aria-label="Market depth">
      <thead>
        <tr className="h-6 text-muted-foreground">
          <th scope="col" className="px-2 text-right font-medium">
            Bid qty
          </th>
          <th scope="col" className="px-2 text-right font-medium">
            Bid
          </th>
          <th scope="col" className="px-2 text-left font-medium">
            Ask
          </th>
          <th scope="col" className="px-2 text-left font-medium">
            Ask qty
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map(([bid, ask], i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: depth levels are positional
          <tr key={i} className="h-6">
            <td className="num relative px-2 text-muted-foreground">
              <span
                className="absolute inset-y-0.5 right-0 bg-profit/15"
                data-width={Math.round(((bid?.quantity ?? 0) / maxQty) * 100)}
              />
              <span className="relative">{bid?.quantity ? formatQty(bid.quantity) : ''}</span>
            </td>
            <td className="num px-2 text-profit">{bid?.price ? formatNumber(bid.price) : '—'}</td>
            <td className="num px-2 text-left text-loss">{ask?.price ? formatNumber(ask.price) : '—'}</td>
            <td className="num px-2 text-left text-muted-foreground">
              <span className="relative">{ask?.quantity ? formatQty(ask.quantity) : ''}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
