import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { paths } from '../paths';

export function NotFoundPage() {
  return (
    <main className="flex min-h-[60vh] flex-col items-center justify-center gap-3 p-6 text-center">
      <p className="num font-mono text-4xl font-bold text-muted-foreground">404</p>
      <h1 className="text-base font-semibold">No such page</h1>
      <p className="text-xs text-muted-foreground">The address may be mistyped, or the page has moved.</p>
      <Button asChild size="sm">
        <Link to={paths.dashboard}>Go to the dashboard</Link>
      </Button>
    </main>
  );
}
