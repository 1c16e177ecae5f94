import { X } from 'lucide-react';
import { cn } from '@/lib/cn';
import { useToasts } from '@/stores/toasts';

export function Toaster() {
  const { toasts, dismiss } = useToasts();
  return (
    <section
      aria-label="Notifications"
      aria-live="polite"
      className="pointer-events-none fixed right-3 bottom-3 z-[60] flex w-80 flex-col gap-2"
    >
      {toasts.map((t) => (
        <div
          key={t.id}
          role={t.tone === 'error' ? 'alert' : 'status'}
          className={cn(
            'pointer-events-auto flex items-start gap-2 rounded-md border bg-card p-2.5 text-xs shadow-lg',
            t.tone === 'success' && 'border-l-4 border-l-profit',
            t.tone === 'error' && 'border-l-4 border-l-loss',
            t.tone === 'info' && 'border-l-4 border-l-primary',
          )}
        >
          <div className="flex-1">
            <p className="font-medium">{t.title}</p>
            {t.description ? <p className="mt-0.5 text-muted-foreground">{t.description}</p> : null}
          </div>
          <button
            type="button"
            aria-label="Dismiss"
            className="text-muted-foreground"
            onClick={() => dismiss(t.id)}
          >
            <X className="size-3.5" />
          </button>
        </div>
      ))}
    </section>
  );
}
