import { AlertTriangle, Construction, Inbox, Loader2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { cn } from '@/lib/cn';
import { Button } from './button';

function Frame({
  icon,
  title,
  children,
  className,
}: {
  icon: ReactNode;
  title: string;
  children?: ReactNode;
  className?: string;
}) {
  return (
    <div className={cn('flex flex-col items-center justify-center gap-2 px-4 py-10 text-center', className)}>
      <div className="text-muted-foreground">{icon}</div>
      <p className="text-sm font-medium">{title}</p>
      {children ? <div className="max-w-md text-xs text-muted-foreground">{children}</div> : null}
    </div>
  );
}

export function LoadingState({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" aria-live="polite">
      <Frame icon={<Loader2 className="size-5 animate-spin" />} title={label} />
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <Frame icon={<Inbox className="size-5" />} title={title}>
      {children}
    </Frame>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div role="alert">
      <Frame icon={<AlertTriangle className="size-5 text-loss" />} title="Could not load this">
        <p>{message}</p>
        {onRetry ? (
          <Button className="mt-2" variant="outline" size="sm" onClick={onRetry}>
            Retry
          </Button>
        ) : null}
      </Frame>
    </div>
  );
}

/** The backend route this view needs has not shipped yet. */
export function NotAvailableState({ feature, route }: { feature: string; route?: string }) {
  return (
    <Frame icon={<Construction className="size-5 text-warning" />} title={`${feature} is not available yet`}>
      The server does not offer this yet
      {route ? (
        <>
          {' '}
          (<code className="font-mono">{route}</code>)
        </>
      ) : null}
      . It will light up here as soon as it does.
    </Frame>
  );
}
