/** Straddle chart: today's ATM straddle candle by candle, with the synthetic future and ATM IV. */
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Stat } from '@/components/ui/stat';
import { LoadingState } from '@/components/ui/states';
import { formatNumber } from '@/lib/format';
import { type Intraday, type StraddleChartResponse, straddleChartQuery } from './api';
import { IntervalSelect, OptionsPage, QueryFrame, useSelection } from './OptionsPage';
import { CALL_COLOR, NET_COLOR, PUT_COLOR } from './StrikeBars';
import type { TimeSeries } from './TimeLines';

const TimeLines = lazy(() => import('./TimeLines'));

export function StraddlePage() {
  const selection = useSelection();
  const [interval, setInterval] = useState<Intraday>('5m');
  const query = useQuery(straddleChartQuery(selection, interval));
  return (
    <OptionsPage title="Straddle chart" controls={<IntervalSelect value={interval} onChange={setInterval} />}>
      <QueryFrame query={query}>{(data) => <StraddleBody data={data} />}</QueryFrame>
    </OptionsPage>
  );
}

function StraddleBody({ data }: { data: StraddleChartResponse }) {
  const series = useMemo<TimeSeries[]>(
    () => [
      {
        label: 'Straddle',
        color: NET_COLOR,
        points: data.data.map((p) => ({ time: p.timestamp, value: p.straddle })),
      },
      { label: 'CE', color: CALL_COLOR, points: data.data.map((p) => ({ time: p.timestamp, value: p.ce })) },
      { label: 'PE', color: PUT_COLOR, points: data.data.map((p) => ({ time: p.timestamp, value: p.pe })) },
      {
        label: 'Synthetic future',
        color: '#a855f7',
        scale: 'left',
        points: data.data.map((p) => ({ time: p.timestamp, value: p.synthetic_future })),
      },
    ],
    [data],
  );
  const last = data.data[data.data.length - 1];
  if (!last) return <p className="text-sm text-muted-foreground">No candles yet today.</p>;
  const price = last.straddle ?? 0;
  return (
    <div className="space-y-3">
      <div className="grid grid-cols-2 gap-2 md:grid-cols-5">
        <Stat label="ATM strike" value={data.atm_strike} />
        <Stat label="Straddle" value={formatNumber(last.straddle)} />
        <Stat label="ATM IV" value={last.iv == null ? '—' : `${formatNumber(last.iv)}%`} />
        <Stat
          label="Break-evens"
          value={`${formatNumber(data.atm_strike - price, 0)} – ${formatNumber(data.atm_strike + price, 0)}`}
        />
        <Stat
          label="Legs"
          value={
            <span className="text-xs">
              {data.ce_symbol} / {data.pe_symbol}
            </span>
          }
        />
      </div>
      <Suspense fallback={<LoadingState label="Loading chart…" />}>
        <TimeLines series={series} />
      </Suspense>
    </div>
  );
}
