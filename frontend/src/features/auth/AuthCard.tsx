import type { ReactNode } from 'react';
import { Card } from '@/components/ui/card';

export function AuthCard({
  title,
  subtitle,
  children,
}: {
  title: string;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="flex min-h-screen items-center justify-center bg-background p-4">
      <Card className="w-full max-w-sm p-5">
        <div className="mb-4 flex items-center gap-2">
          <img src="/favicon.svg" alt="" className="size-6" />
          <span className="text-sm font-semibold tracking-wide">Algogate</span>
        </div>
        <h1 className="text-base font-semibold">{title}</h1>
        {subtitle ? <p className="mt-1 text-xs text-muted-foreground">{subtitle}</p> : null}
        <div className="mt-4">{children}</div>
      </Card>
    </main>
  );
}

export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-loss/40 bg-loss/10 px-2 py-1.5 text-xs text-loss">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}
