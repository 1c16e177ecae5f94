/** The frame every options page shares: title, underlying + expiry pickers, page controls, body. */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Select } from '@/components/ui/input';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { expiriesQuery, INTRADAY, type Intraday } from './api';
import { UNDERLYINGS, useOptionsSelection } from './selection';

interface OptionsPageProps {
  title: string;
  /** Pages over several expiries (vol surface) hide the expiry picker. */
  pickExpiry?: boolean;
  controls?: ReactNode;
  badges?: ReactNode;
  children: ReactNode;
}

export function OptionsPage({ title, pickExpiry = true, controls, badges, children }: OptionsPageProps) {
  const { underlying, exchange, expiry, choose } = useOptionsSelection();
  const expiries = useQuery(expiriesQuery(underlying, exchange));
  const listed = expiries.data?.expiries ?? [];
  return (
    <Card>
      <CardHeader className="flex-wrap gap-2">
        <div className="flex items-baseline gap-3">
          <CardTitle as="h1">{title}</CardTitle>
          {badges}
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <Select
            aria-label="Underlying"
            className="w-36"
            value={`${exchange}:${underlying}`}
            onChange={(e) => {
              const [ex = '', name = ''] = e.target.value.split(':');
              choose({ underlying: name, exchange: ex });
            }}
          >
            {UNDERLYINGS.map((u) => (
              <option key={u.underlying} value={`${u.exchange}:${u.underlying}`}>
                {u.underlying}
              </option>
            ))}
          </Select>
          {pickExpiry ? (
            <Select
              aria-label="Expiry"
              className="w-32"
              value={expiry ?? listed[0] ?? ''}
              onChange={(e) => choose({ expiry: e.target.value })}
            >
              {listed.map((code) => (
                <option key={code} value={code}>
                  {code}
                </option>
              ))}
            </Select>
          ) : null}
          {controls}
        </div>
      </CardHeader>
      <CardContent>
        {expiries.isError ? (
          <ErrorState error={expiries.error} onRetry={() => void expiries.refetch()} />
        ) : expiries.isPending ? (
          <LoadingState label="Loading expiries…" />
        ) : (
          children
        )}
      </CardContent>
    </Card>
  );
}

/** The selection with the expiry resolved to the picker's (nearest listed when none chosen). */
export function useSelection() {
  const { underlying, exchange, expiry } = useOptionsSelection();
  const listed = useQuery(expiriesQuery(underlying, exchange)).data?.expiries ?? [];
  const chosen = expiry && listed.includes(expiry) ? expiry : (listed[0] ?? null);
  return { underlying, exchange, expiry: chosen };
}

/** A query's loading/error frame around its content. */
export function QueryFrame<T>({
  query,
  children,
}: {
  query: { data: T | undefined; error: unknown; isError: boolean; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  if (query.data !== undefined) return <>{children(query.data)}</>;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return <LoadingState />;
}

export function StrikeCountSelect({ value, onChange }: { value: number; onChange: (n: number) => void }) {
  return (
    <Select
      aria-label="Strikes each side"
      className="w-32"
      value={value}
      onChange={(e) => onChange(Number(e.target.value))}
    >
      {[5, 10, 15, 20, 25, 40].map((n) => (
        <option key={n} value={n}>
          ±{n} strikes
        </option>
      ))}
    </Select>
  );
}

export function IntervalSelect({ value, onChange }: { value: Intraday; onChange: (v: Intraday) => void }) {
  return (
    <Select
      aria-label="Interval"
      className="w-20"
      value={value}
      onChange={(e) => onChange(e.target.value as Intraday)}
    >
      {INTRADAY.map((i) => (
        <option key={i} value={i}>
          {i}
        </option>
      ))}
    </Select>
  );
}
