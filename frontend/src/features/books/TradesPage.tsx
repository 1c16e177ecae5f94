import { useQuery } from '@tanstack/react-query';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Stat } from '@/components/ui/stat';
import type { Trade } from '@/lib/api/pending';
import { downloadCsv, toCsv } from '@/lib/csv';
import { formatINR, formatIstTime, formatQty, toEpochMs } from '@/lib/format';
import { tradesQuery, useBookRefetchInterval } from './api';
import { BookFrame } from './BookFrame';
import { SideBadge } from './cells';

const columns: Column<Trade>[] = [
  {
    id: 'time',
    header: 'Time',
    cell: (t) => formatIstTime(t.timestamp),
    sortValue: (t) => toEpochMs(t.timestamp) ?? t.timestamp,
    className: 'num text-left',
  },
  {
    id: 'symbol',
    header: 'Symbol',
    cell: (t) => <span className="font-medium">{t.symbol}</span>,
    sortValue: (t) => t.symbol,
  },
  { id: 'exchange', header: 'Exch', cell: (t) => t.exchange },
  { id: 'product', header: 'Product', cell: (t) => t.product },
  { id: 'action', header: 'Side', cell: (t) => <SideBadge action={t.action} />, sortValue: (t) => t.action },
  {
    id: 'qty',
    header: 'Qty',
    cell: (t) => formatQty(t.quantity),
    sortValue: (t) => t.quantity,
    numeric: true,
  },
  {
    id: 'price',
    header: 'Avg price',
    cell: (t) => formatINR(t.average_price),
    sortValue: (t) => t.average_price,
    numeric: true,
  },
  {
    id: 'value',
    header: 'Value',
    cell: (t) => formatINR(t.trade_value),
    sortValue: (t) => t.trade_value,
    numeric: true,
  },
  {
    id: 'orderid',
    header: 'Order ID',
    cell: (t) => <span className="font-mono text-muted-foreground">{t.orderid}</span>,
  },
];

export function TradesPage() {
  const query = useQuery({ ...tradesQuery, refetchInterval: useBookRefetchInterval() });
  const trades = query.data ?? [];
  return (
    <BookFrame
      title="Trade book"
      route="GET /web/trading/trades"
      query={query}
      isEmpty={(d) => d.length === 0}
      emptyTitle="No trades today"
      onExport={() =>
        downloadCsv(
          'trades.csv',
          toCsv(trades, [
            { header: 'Time', value: (t) => t.timestamp },
            { header: 'Symbol', value: (t) => t.symbol },
            { header: 'Exchange', value: (t) => t.exchange },
            { header: 'Product', value: (t) => t.product },
            { header: 'Action', value: (t) => t.action },
            { header: 'Quantity', value: (t) => t.quantity },
            { header: 'Average price', value: (t) => t.average_price },
            { header: 'Trade value', value: (t) => t.trade_value },
            { header: 'Order ID', value: (t) => t.orderid },
          ]),
        )
      }
      stats={(d) => (
        <>
          <Stat label="Trades" value={d.length} />
          <Stat label="Buy" value={d.filter((t) => t.action === 'BUY').length} />
          <Stat label="Sell" value={d.filter((t) => t.action === 'SELL').length} />
        </>
      )}
    >
      {(d) => (
        <DataTable
          label="Trades"
          rows={d}
          columns={columns}
          rowKey={(t) => t.tradeid ?? `${t.orderid}-${t.timestamp}-${t.quantity}`}
          initialSort={{ id: 'time', dir: 'desc' }}
        />
      )}
    </BookFrame>
  );
}
