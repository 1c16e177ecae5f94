import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { Input } from '@/components/ui/input';
import { isNotAvailable } from '@/lib/api/errors';
import { searchQuery } from '@/lib/api/market';
import type { Instrument } from '@/lib/api/pending';
import { cn } from '@/lib/cn';

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

interface SymbolSearchProps {
  onPick: (instrument: Pick<Instrument, 'symbol' | 'exchange'> & Partial<Instrument>) => void;
  placeholder?: string;
  autoFocus?: boolean;
  label: string;
}

/**
 * Autocomplete over the instrument master (GET /web/market/search): shows exchange, type, expiry,
 * strike and lot size. "EXCHANGE:SYMBOL" narrows the search to one exchange; Enter picks the
 * highlighted row, or the text as typed when nothing matches (yet).
 */
export function SymbolSearch({
  onPick,
  placeholder = 'Search symbol, e.g. SBIN',
  autoFocus,
  label,
}: SymbolSearchProps) {
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [open, setOpen] = useState(false);
  const term = useDebounced(text.trim(), 200);
  const results = useQuery(searchQuery(term));
  const stale = term !== text.trim();
  const listId = useId();
  const items = (results.data ?? []).slice(0, 12);
  const unavailable = isNotAvailable(results.error);

  function pick(item: Pick<Instrument, 'symbol' | 'exchange'> & Partial<Instrument>) {
    onPick(item);
    setText('');
    setOpen(false);
  }

  function pickTyped() {
    const raw = text.trim().toUpperCase();
    if (!raw) return;
    const [a, b] = raw.includes(':') ? raw.split(':') : ['NSE', raw];
    if (a && b) pick({ exchange: a, symbol: b });
  }

  return (
    <div className="relative">
      <Input
        role="combobox"
        aria-label={label}
        aria-expanded={open && items.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        autoFocus={autoFocus}
        placeholder={placeholder}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setActive((i) => Math.min(i + 1, items.length - 1));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setActive((i) => Math.max(i - 1, 0));
          } else if (e.key === 'Enter') {
            e.preventDefault();
            // Rows of an older term must not win over what was typed since.
            const item = stale ? undefined : items[active];
            if (item) pick(item);
            else pickTyped();
          }
        }}
      />
      {open && term.length >= 2 ? (
        <div className="absolute z-50 mt-1 max-h-72 w-full overflow-auto rounded-md border bg-card py-1 text-xs shadow-lg">
          {results.isFetching && items.length === 0 ? (
            <p className="px-2 py-1.5 text-muted-foreground">Searching…</p>
          ) : null}
          {unavailable ? (
            <p className="px-2 py-1.5 text-muted-foreground">
              Search is not available yet — type EXCHANGE:SYMBOL and press Enter.
            </p>
          ) : null}
          {!results.isFetching && !unavailable && items.length === 0 ? (
            <p className="px-2 py-1.5 text-muted-foreground">No matching symbols.</p>
          ) : null}
          <div id={listId} role="listbox" aria-label={`${label} results`}>
            {items.map((item, index) => (
              <div
                key={`${item.exchange}:${item.symbol}`}
                data-testid={`search-${item.exchange}:${item.symbol}`}
                role="option"
                tabIndex={-1}
                aria-selected={index === active}
                className={cn(
                  'flex cursor-pointer items-center justify-between gap-2 px-2 py-1.5',
                  index === active && 'bg-accent',
                )}
                onMouseDown={(e) => {
                  e.preventDefault();
                  pick(item);
                }}
                onMouseEnter={() => setActive(index)}
              >
                <span>
                  <span className="font-medium">{item.symbol}</span>{' '}
                  <span className="text-muted-foreground">{item.name}</span>
                </span>
                <span className="flex gap-1 text-[10px] text-muted-foreground">
                  <span className="rounded bg-muted px-1">{item.exchange}</span>
                  {item.instrumenttype ? (
                    <span className="rounded bg-muted px-1">{item.instrumenttype}</span>
                  ) : null}
                  {item.expiry ? <span className="rounded bg-muted px-1">{item.expiry}</span> : null}
                  {item.strike > 0 ? <span className="rounded bg-muted px-1">{item.strike}</span> : null}
                  {item.lotsize > 1 ? (
                    <span className="rounded bg-muted px-1">lot {item.lotsize}</span>
                  ) : null}
                </span>
              </div>
            ))}
          </div>
        </div>
      ) : null}
    </div>
  );
}
