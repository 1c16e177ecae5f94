import { useEffect, useRef } from 'react';
import { Navigate } from 'react-router';
import { paths } from '@/app/paths';
import { LoadingState } from '@/components/ui/states';
import { useLogout } from './api';

export function LogoutPage() {
  const logout = useLogout();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    logout.mutate();
  }, [logout]);
  if (logout.isIdle || logout.isPending) return <LoadingState label="Signing out…" />;
  return <Navigate to={paths.login} replace />;
}
