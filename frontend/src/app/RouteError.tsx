import { isRouteErrorResponse, Link, useRouteError } from 'react-router';
import { paths } from './paths';

/** Shown when a route fails to load (e.g. a page chunk is missing after a deploy). */
export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main
      role="alert"
      className="flex min-h-screen flex-col items-center justify-center gap-2 p-6 text-center"
    >
      <h1 className="text-base font-semibold">Something went wrong</h1>
      <p className="font-mono text-xs text-muted-foreground">{message}</p>
      <Link to={paths.dashboard} className="text-xs text-primary hover:underline" reloadDocument>
        Reload the dashboard
      </Link>
    </main>
  );
}
