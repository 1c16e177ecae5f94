import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Badge } from '@/components/ui/badge';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Stat } from '@/components/ui/stat';
import type { Exchange, Position } from '@/lib/api/pending';
import { downloadCsv, toCsv } from '@/lib/csv';
import { formatINR, formatPercent, formatQty, pnlClass, toNumber } from '@/lib/format';
import { useLiveQuotes } from '@/lib/realtime/live-quotes';
import { symbolKey, useTicks } from '@/stores/ticks';
import { positionsQuery, useBookRefetchInterval, useCloseAll, useClosePosition } from './api';
import { BookFrame } from './BookFrame';
import { Pnl } from './cells';
import { livePnl } from './live-pnl';

type Row = Position & { key: string; liveLtp: number; livePnl: number; pnlPercent: number | null };

export function PositionsPage() {
  const query = useQuery({ ...positionsQuery, refetchInterval: useBookRefetchInterval() });
  const close = useClosePosition();
  const closeAll = useCloseAll();
  const positions = query.data ?? [];
  const openKeys = useMemo(
    () => positions.filter((p) => p.quantity !== 0).map((p) => symbolKey(p.exchange, p.symbol)),
    [positions],
  );
  const live = useLiveQuotes(openKeys);
  const ticks = useTicks((s) => s.ticks);
  const rows: Row[] = positions.map((p) => {
    const key = symbolKey(p.exchange, p.symbol);
    const { ltp, pnl } = livePnl(p, ticks[key]);
    const avg = toNumber(p.average_price) ?? 0;
    const invested = Math.abs(avg * p.quantity);
    return {
      ...p,
      key: `${key}:${p.product}`,
      liveLtp: ltp,
      livePnl: pnl,
      pnlPercent: invested ? (pnl / invested) * 100 : null,
    };
  });
  const total = rows.reduce((sum, r) => sum + r.livePnl, 0);
  const openRows = rows.filter((r) => r.quantity !== 0);

  const columns: Column<Row>[] = [
    {
      id: 'symbol',
      header: 'Symbol',
      cell: (p) => <span className="font-medium">{p.symbol}</span>,
      sortValue: (p) => p.symbol,
    },
    { id: 'exchange', header: 'Exch', cell: (p) => p.exchange },
    { id: 'product', header: 'Product', cell: (p) => p.product },
    {
      id: 'qty',
      header: 'Qty',
      cell: (p) => (
        <span
          className={p.quantity > 0 ? 'text-buy' : p.quantity < 0 ? 'text-sell' : 'text-muted-foreground'}
        >
          {formatQty(p.quantity)}
        </span>
      ),
      sortValue: (p) => p.quantity,
      numeric: true,
    },
    { id: 'avg', header: 'Avg', cell: (p) => formatINR(p.average_price), numeric: true },
    {
      id: 'ltp',
      header: 'LTP',
      cell: (p) => formatINR(p.liveLtp),
      sortValue: (p) => p.liveLtp,
      numeric: true,
    },
    {
      id: 'pnl',
      header: 'P&L',
      cell: (p) => <Pnl value={p.livePnl} />,
      sortValue: (p) => p.livePnl,
      numeric: true,
    },
    {
      id: 'pnlpct',
      header: 'P&L %',
      cell: (p) => <span className={pnlClass(p.pnlPercent)}>{formatPercent(p.pnlPercent)}</span>,
      sortValue: (p) => p.pnlPercent,
      numeric: true,
    },
    {
      id: 'close',
      header: '',
      cell: (p) =>
        p.quantity !== 0 ? (
          <div className="flex justify-end">
            <ConfirmButton
              aria-label={`Close position ${p.symbol}`}
              title={`Close ${p.symbol}?`}
              description={`A market order will ${p.quantity > 0 ? 'sell' : 'buy'} ${Math.abs(p.quantity)} ${p.symbol} (${p.product}).`}
              confirmLabel="Close position"
              onConfirm={() =>
                close.mutateAsync({ symbol: p.symbol, exchange: p.exchange as Exchange, product: p.product })
              }
            >
              Close
            </ConfirmButton>
          </div>
        ) : (
          <span className="block text-right text-[11px] text-muted-foreground">closed</span>
        ),
    },
  ];

  return (
    <BookFrame
      title="Positions"
      route="GET /web/trading/positions"
      query={query}
      isEmpty={(d) => d.length === 0}
      emptyTitle="No positions"
      emptyHint="Positions appear here as soon as an order fills."
      onExport={() =>
        downloadCsv(
          'positions.csv',
          toCsv(rows, [
            { header: 'Symbol', value: (p) => p.symbol },
            { header: 'Exchange', value: (p) => p.exchange },
            { header: 'Product', value: (p) => p.product },
            { header: 'Quantity', value: (p) => p.quantity },
            { header: 'Average price', value: (p) => p.average_price },
            { header: 'LTP', value: (p) => p.liveLtp },
            { header: 'P&L', value: (p) => p.livePnl.toFixed(2) },
          ]),
        )
      }
      actions={
        <>
          <Badge tone={live.mode === 'live' ? 'profit' : 'neutral'}>
            {live.mode === 'live' ? 'Live' : 'Polling'}
          </Badge>
          <ConfirmButton
            title="Close all open positions?"
            description={`${openRows.length} position(s) will be squared off at market.`}
            confirmLabel="Close all"
            disabled={openRows.length === 0}
            onConfirm={() => closeAll.mutateAsync()}
          >
            Close all
          </ConfirmButton>
        </>
      }
      stats={() => (
        <>
          <Stat label="Open" value={openRows.length} />
          <Stat label="Long" value={openRows.filter((p) => p.quantity > 0).length} />
          <Stat label="Short" value={openRows.filter((p) => p.quantity < 0).length} />
          <Stat label="Total P&L" value={<Pnl value={total} />} />
        </>
      )}
    >
      {() => (
        <DataTable
          label="Positions"
          rows={rows}
          columns={columns}
          rowKey={(p) => p.key}
          rowClassName={(p) => (p.quantity === 0 ? 'opacity-60' : undefined)}
        />
      )}
    </BookFrame>
  );
}
