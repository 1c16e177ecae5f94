import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { Toaster } from '@/components/Toaster';
import { setUnauthorizedHandler } from '@/lib/api/http';
import { createQueryClient } from '@/lib/api/query-client';
import { paths } from './paths';
import { router } from './router';

const PUBLIC = new Set<string>([paths.login, paths.setup, paths.resetPassword, paths.logout]);

export function App() {
  const [client] = useState(() => {
    const qc = createQueryClient();
    // A 401 anywhere means the session ended (03:30 IST expiry, logout elsewhere): back to sign-in.
    setUnauthorizedHandler(() => {
      qc.setQueryData(['session'], (s: object | undefined) =>
        s ? { ...s, authenticated: false, user: null } : s,
      );
      if (!PUBLIC.has(window.location.pathname)) void router.navigate(paths.login, { replace: true });
    });
    return qc;
  });
  return (
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
      <Toaster />
    </QueryClientProvider>
  );
}
