import { type ReactNode, useState } from 'react';
import { isNotAvailable } from '@/lib/api/errors';
import { Button } from './button';
import { Dialog } from './dialog';

interface ConfirmButtonProps {
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown> | unknown;
  children: ReactNode;
  variant?: 'destructive' | 'default' | 'outline' | 'ghost';
  size?: 'xs' | 'sm' | 'default';
  disabled?: boolean;
  'aria-label'?: string;
}

/** A button that asks before doing something that moves money or can't be undone. */
export function ConfirmButton({
  title,
  description,
  confirmLabel,
  onConfirm,
  children,
  variant = 'outline',
  size = 'xs',
  disabled,
  ...rest
}: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <Button
        variant={variant}
        size={size}
        disabled={disabled}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
        aria-label={rest['aria-label']}
      >
        {children}
      </Button>
      <Dialog open={open} onOpenChange={setOpen} heading={title} description={description}>
        {error ? (
          <p role="alert" className="mb-3 text-xs text-loss">
            {error}
          </p>
        ) : null}
        <div className="flex justify-end gap-2">
          <Button variant="outline" size="sm" onClick={() => setOpen(false)}>
            Keep
          </Button>
          <Button
            variant="destructive"
            size="sm"
            disabled={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await onConfirm();
                setOpen(false);
              } catch (e) {
                setError(
                  isNotAvailable(e)
                    ? 'The server does not support this action yet.'
                    : e instanceof Error
                      ? e.message
                      : String(e),
                );
              } finally {
                setBusy(false);
              }
            }}
          >
            {confirmLabel}
          </Button>
        </div>
      </Dialog>
    </>
  );
}
