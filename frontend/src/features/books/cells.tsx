import { Badge } from '@/components/ui/badge';
import { cn } from '@/lib/cn';
import { formatPnl, pnlClass } from '@/lib/format';

export function SideBadge({ action }: { action: string }) {
  return <Badge tone={action === 'BUY' ? 'buy' : 'sell'}>{action}</Badge>;
}

export function StatusBadge({ status }: { status: string }) {
  const s = status.toLowerCase();
  const tone =
    s === 'complete'
      ? 'profit'
      : s === 'rejected'
        ? 'loss'
        : s === 'open' || s === 'trigger pending'
          ? 'warning'
          : 'neutral';
  return <Badge tone={tone}>{status}</Badge>;
}

export function Pnl({ value, className }: { value: number | string | null | undefined; className?: string }) {
  return <span className={cn('num font-medium', pnlClass(value), className)}>{formatPnl(value)}</span>;
}

export const isOpenStatus = (status: string) =>
  ['open', 'trigger pending', 'pending'].includes(status.toLowerCase());
