/**
 * Modal dialog on the native <dialog> element: focus is trapped and Esc closes it by the browser
 * itself, and nothing injects <style> tags at run time (the backend's CSP forbids inline styles).
 */
import { X } from 'lucide-react';
import { type ReactNode, useEffect, useId, useRef } from 'react';
import { cn } from '@/lib/cn';

interface DialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  heading: ReactNode;
  description?: ReactNode;
  className?: string;
  children: ReactNode;
}

export function Dialog({ open, onOpenChange, heading, description, className, children }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      if (typeof dialog.showModal === 'function') dialog.showModal();
      else dialog.setAttribute('open', '');
    } else if (!open && dialog.open) {
      if (typeof dialog.close === 'function') dialog.close();
      else dialog.removeAttribute('open');
    }
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onClose={() => onOpenChange(false)}
      onCancel={(event) => {
        event.preventDefault();
        onOpenChange(false);
      }}
      onMouseDown={(event) => {
        if (event.target === ref.current) onOpenChange(false);
      }}
      className={cn(
        'fixed inset-0 m-auto w-[min(92vw,28rem)] rounded-lg border bg-card p-4 text-foreground shadow-xl backdrop:bg-black/50',
        className,
      )}
    >
      {open ? (
        <>
          <div className="mb-3 flex items-start justify-between gap-2">
            <h2 id={titleId} className="text-sm font-semibold">
              {heading}
            </h2>
            <button
              type="button"
              className="rounded p-0.5 text-muted-foreground hover:bg-accent"
              aria-label="Close"
              onClick={() => onOpenChange(false)}
            >
              <X className="size-4" />
            </button>
          </div>
          {description ? (
            <p id={descriptionId} className="mb-3 text-xs text-muted-foreground">
              {description}
            </p>
          ) : null}
          {children}
        </>
      ) : null}
    </dialog>
  );
}
