import { useQuery } from '@tanstack/react-query';
import { Pencil, X } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmButton } from '@/components/ui/confirm';
import { type Column, DataTable } from '@/components/ui/data-table';
import { Dialog } from '@/components/ui/dialog';
import { Input, Label } from '@/components/ui/input';
import { Stat } from '@/components/ui/stat';
import type { Order } from '@/lib/api/pending';
import { downloadCsv, toCsv } from '@/lib/csv';
import { formatINR, formatIstDateTime, formatIstTime, formatQty, toEpochMs } from '@/lib/format';
import { ordersQuery, useBookRefetchInterval, useCancelAll, useCancelOrder, useModifyOrder } from './api';
import { BookFrame } from './BookFrame';
import { isOpenStatus, SideBadge, StatusBadge } from './cells';

export function OrdersPage() {
  const query = useQuery({ ...ordersQuery, refetchInterval: useBookRefetchInterval() });
  const cancel = useCancelOrder();
  const cancelAll = useCancelAll();
  const [editing, setEditing] = useState<Order | null>(null);
  const orders = query.data?.orders ?? [];
  const openCount = orders.filter((o) => isOpenStatus(o.order_status)).length;

  const columns: Column<Order>[] = [
    {
      id: 'time',
      header: 'Time',
      cell: (o) => <span title={formatIstDateTime(o.timestamp)}>{formatIstTime(o.timestamp)}</span>,
      sortValue: (o) => toEpochMs(o.timestamp),
      className: 'num text-left',
    },
    {
      id: 'symbol',
      header: 'Symbol',
      cell: (o) => <span className="font-medium">{o.symbol}</span>,
      sortValue: (o) => o.symbol,
    },
    { id: 'exchange', header: 'Exch', cell: (o) => o.exchange },
    {
      id: 'action',
      header: 'Side',
      cell: (o) => <SideBadge action={o.action} />,
      sortValue: (o) => o.action,
    },
    {
      id: 'qty',
      header: 'Qty',
      cell: (o) => formatQty(o.quantity),
      sortValue: (o) => o.quantity,
      numeric: true,
    },
    {
      id: 'price',
      header: 'Price',
      cell: (o) => (o.pricetype === 'MARKET' ? 'MKT' : formatINR(o.price)),
      sortValue: (o) => o.price,
      numeric: true,
    },
    {
      id: 'trigger',
      header: 'Trigger',
      cell: (o) => (o.trigger_price ? formatINR(o.trigger_price) : '—'),
      numeric: true,
    },
    { id: 'type', header: 'Type', cell: (o) => o.pricetype },
    { id: 'product', header: 'Product', cell: (o) => o.product },
    {
      id: 'status',
      header: 'Status',
      cell: (o) => <StatusBadge status={o.order_status} />,
      sortValue: (o) => o.order_status,
    },
    {
      id: 'orderid',
      header: 'Order ID',
      cell: (o) => <span className="font-mono text-muted-foreground">{o.orderid}</span>,
    },
    {
      id: 'actions',
      header: '',
      cell: (o) =>
        isOpenStatus(o.order_status) ? (
          <div className="flex justify-end gap-1">
            <Button
              size="xs"
              variant="outline"
              aria-label={`Modify order ${o.orderid}`}
              onClick={() => setEditing(o)}
            >
              <Pencil />
            </Button>
            <ConfirmButton
              aria-label={`Cancel order ${o.orderid}`}
              title="Cancel this order?"
              description={`${o.action} ${o.quantity} ${o.symbol} @ ${o.pricetype === 'MARKET' ? 'market' : formatINR(o.price)}`}
              confirmLabel="Cancel order"
              onConfirm={() => cancel.mutateAsync(o.orderid)}
            >
              <X />
            </ConfirmButton>
          </div>
        ) : null,
    },
  ];

  return (
    <>
      <BookFrame
        title="Order book"
        route="GET /web/trading/orders"
        query={query}
        isEmpty={(d) => d.orders.length === 0}
        emptyTitle="No orders today"
        emptyHint="Press B or S to open the order ticket."
        onExport={() =>
          downloadCsv(
            'orders.csv',
            toCsv(orders, [
              { header: 'Time (IST)', value: (o) => formatIstDateTime(o.timestamp) },
              { header: 'Symbol', value: (o) => o.symbol },
              { header: 'Exchange', value: (o) => o.exchange },
              { header: 'Action', value: (o) => o.action },
              { header: 'Quantity', value: (o) => o.quantity },
              { header: 'Price', value: (o) => o.price },
              { header: 'Trigger', value: (o) => o.trigger_price },
              { header: 'Type', value: (o) => o.pricetype },
              { header: 'Product', value: (o) => o.product },
              { header: 'Status', value: (o) => o.order_status },
              { header: 'Order ID', value: (o) => o.orderid },
            ]),
          )
        }
        actions={
          <ConfirmButton
            title="Cancel all open orders?"
            description={`${openCount} open order(s) will be cancelled.`}
            confirmLabel="Cancel all"
            disabled={openCount === 0}
            onConfirm={() => cancelAll.mutateAsync()}
          >
            Cancel all
          </ConfirmButton>
        }
        stats={(d) => (
          <>
            <Stat label="Buy orders" value={d.statistics.total_buy_orders} />
            <Stat label="Sell orders" value={d.statistics.total_sell_orders} />
            <Stat label="Completed" value={d.statistics.total_completed_orders} />
            <Stat label="Open" value={d.statistics.total_open_orders} />
            <Stat label="Rejected" value={d.statistics.total_rejected_orders} />
          </>
        )}
      >
        {(d) => (
          <DataTable
            label="Orders"
            rows={d.orders}
            columns={columns}
            rowKey={(o) => o.orderid}
            initialSort={{ id: 'time', dir: 'desc' }}
          />
        )}
      </BookFrame>
      {editing ? <ModifyDialog order={editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

function ModifyDialog({ order, onClose }: { order: Order; onClose: () => void }) {
  const modify = useModifyOrder();
  const [quantity, setQuantity] = useState(String(order.quantity));
  const [price, setPrice] = useState(String(order.price));
  const [trigger, setTrigger] = useState(String(order.trigger_price));
  const needsPrice = order.pricetype === 'LIMIT' || order.pricetype === 'SL';
  const needsTrigger = order.pricetype === 'SL' || order.pricetype === 'SL-M';

  async function submit(event: FormEvent) {
    event.preventDefault();
    await modify.mutateAsync({
      order,
      quantity: Number(quantity),
      price: needsPrice ? Number(price) : 0,
      trigger_price: needsTrigger ? Number(trigger) : 0,
    });
    onClose();
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => !open && onClose()}
      heading={`Modify ${order.action} ${order.symbol}`}
      description={`Order ${order.orderid} · ${order.pricetype}`}
    >
      <form className="space-y-3" onSubmit={(e) => void submit(e).catch(() => {})}>
        <div className="space-y-1">
          <Label htmlFor="modify-qty">Quantity</Label>
          <Input
            id="modify-qty"
            type="number"
            min={1}
            required
            value={quantity}
            onChange={(e) => setQuantity(e.target.value)}
          />
        </div>
        {needsPrice ? (
          <div className="space-y-1">
            <Label htmlFor="modify-price">Price</Label>
            <Input
              id="modify-price"
              type="number"
              step="0.05"
              min={0}
              required
              value={price}
              onChange={(e) => setPrice(e.target.value)}
            />
          </div>
        ) : null}
        {needsTrigger ? (
          <div className="space-y-1">
            <Label htmlFor="modify-trigger">Trigger price</Label>
            <Input
              id="modify-trigger"
              type="number"
              step="0.05"
              min={0}
              required
              value={trigger}
              onChange={(e) => setTrigger(e.target.value)}
            />
          </div>
        ) : null}
        {modify.error ? <p className="text-xs text-loss">{modify.error.message}</p> : null}
        <div className="flex justify-end gap-2">
          <Button variant="outline" size="sm" onClick={onClose}>
            Close
          </Button>
          <Button type="submit" size="sm" disabled={modify.isPending}>
            Modify
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
