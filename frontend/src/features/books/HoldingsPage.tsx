import { useQuery } from '@tanstack/react-query';
import { Button } from '@/components/ui/button';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Stat } from '@/components/ui/stat';
import type { Holding } from '@/lib/api/pending';
import { downloadCsv, toCsv } from '@/lib/csv';
import { formatCompact, formatINR, formatPercent, formatQty, pnlClass } from '@/lib/format';
import { useTicket } from '@/stores/ticket';
import { holdingsQuery, useBookRefetchInterval } from './api';
import { BookFrame } from './BookFrame';
import { Pnl } from './cells';

export function HoldingsPage() {
  const query = useQuery({ ...holdingsQuery, refetchInterval: useBookRefetchInterval() });
  const openTicket = useTicket((s) => s.openTicket);
  const holdings = query.data?.holdings ?? [];
  const columns: Column<Holding>[] = [
    {
      id: 'symbol',
      header: 'Symbol',
      cell: (h) => <span className="font-medium">{h.symbol}</span>,
      sortValue: (h) => h.symbol,
    },
    { id: 'exchange', header: 'Exch', cell: (h) => h.exchange },
    {
      id: 'qty',
      header: 'Qty',
      cell: (h) => formatQty(h.quantity),
      sortValue: (h) => h.quantity,
      numeric: true,
    },
    {
      id: 'avg',
      header: 'Avg',
      cell: (h) => formatINR(h.average_price),
      sortValue: (h) => h.average_price,
      numeric: true,
    },
    { id: 'ltp', header: 'LTP', cell: (h) => formatINR(h.ltp), sortValue: (h) => h.ltp, numeric: true },
    { id: 'pnl', header: 'P&L', cell: (h) => <Pnl value={h.pnl} />, sortValue: (h) => h.pnl, numeric: true },
    {
      id: 'pnlpct',
      header: 'P&L %',
      cell: (h) => <span className={pnlClass(h.pnlpercent)}>{formatPercent(h.pnlpercent)}</span>,
      sortValue: (h) => h.pnlpercent,
      numeric: true,
    },
    {
      id: 'actions',
      header: '',
      cell: (h) => (
        <div className="flex justify-end gap-1">
          <Button
            size="xs"
            variant="outline"
            onClick={() =>
              openTicket({ symbol: h.symbol, exchange: h.exchange, action: 'BUY', product: 'CNC' })
            }
          >
            Add
          </Button>
          <Button
            size="xs"
            variant="outline"
            onClick={() =>
              openTicket({
                symbol: h.symbol,
                exchange: h.exchange,
                action: 'SELL',
                product: 'CNC',
                quantity: h.quantity,
              })
            }
          >
            Exit
          </Button>
        </div>
      ),
    },
  ];
  return (
    <BookFrame
      title="Holdings"
      route="GET /web/trading/holdings"
      query={query}
      isEmpty={(d) => d.holdings.length === 0}
      emptyTitle="No holdings"
      emptyHint="Delivery (CNC) buys settle into holdings the next trading day."
      onExport={() =>
        downloadCsv(
          'holdings.csv',
          toCsv(holdings, [
            { header: 'Symbol', value: (h) => h.symbol },
            { header: 'Exchange', value: (h) => h.exchange },
            { header: 'Quantity', value: (h) => h.quantity },
            { header: 'Average price', value: (h) => h.average_price },
            { header: 'P&L', value: (h) => h.pnl },
            { header: 'P&L %', value: (h) => h.pnlpercent },
          ]),
        )
      }
      stats={(d) => (
        <>
          <Stat
            label="Holding value"
            value={formatCompact(d.statistics.totalholdingvalue, { rupee: true })}
          />
          <Stat label="Invested" value={formatCompact(d.statistics.totalinvvalue, { rupee: true })} />
          <Stat label="Total P&L" value={<Pnl value={d.statistics.totalprofitandloss} />} />
          <Stat
            label="P&L %"
            value={formatPercent(d.statistics.totalpnlpercentage)}
            className={pnlClass(d.statistics.totalpnlpercentage)}
          />
        </>
      )}
    >
      {(d) => (
        <DataTable
          label="Holdings"
          rows={d.holdings}
          columns={columns}
          rowKey={(h) => `${h.exchange}:${h.symbol}`}
        />
      )}
    </BookFrame>
  );
}
