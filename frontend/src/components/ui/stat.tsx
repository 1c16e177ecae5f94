import type { ReactNode } from 'react';
import { cn } from '@/lib/cn';

/** A labelled figure tile (funds, P&L, counts). */
export function Stat({
  label,
  value,
  className,
  hint,
}: {
  label: string;
  value: ReactNode;
  className?: string;
  hint?: string;
}) {
  return (
    <div className="rounded-lg border bg-card px-3 py-2" title={hint}>
      <div className="text-[11px] uppercase tracking-wide text-muted-foreground">{label}</div>
      <div className={cn('num mt-0.5 text-left text-base font-semibold', className)}>{value}</div>
    </div>
  );
}
