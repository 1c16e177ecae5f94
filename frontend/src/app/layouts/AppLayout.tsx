import { useQuery } from '@tanstack/react-query';
import {
  BookOpen,
  Briefcase,
  ChartCandlestick,
  FlaskConical,
  Inbox,
  KeyRound,
  LayoutDashboard,
  ListOrdered,
  LogOut,
  Moon,
  PlugZap,
  ReceiptText,
  ScrollText,
  Settings,
  ShieldCheck,
  Star,
  Sun,
  Wallet,
  Webhook,
} from 'lucide-react';
import { Suspense } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';
import { NavItem } from '@/components/nav-item';
import { Button } from '@/components/ui/button';
import { ErrorState, LoadingState } from '@/components/ui/states';
import { OptionsNavGroup } from '@/features/options/OptionsNavGroup';
import { OrderTicket } from '@/features/ticket/OrderTicket';
import { sessionQuery } from '@/lib/api/session';
import { statusQuery } from '@/lib/api/status';
import { cn } from '@/lib/cn';
import { useBrokerSessionEvents } from '@/lib/realtime/broker-events';
import { useOrderEventsRefresh } from '@/lib/realtime/order-events';
import { useTheme } from '@/stores/theme';
import { useTicket } from '@/stores/ticket';
import { ErrorBoundary } from '../ErrorBoundary';
import { useTradingHotkeys } from '../hotkeys';
import { type AppPath, paths } from '../paths';
import { StatusBar } from './StatusBar';

const NAV: { to: AppPath; label: string; icon: typeof LayoutDashboard; adminOnly?: boolean }[] = [
  { to: paths.dashboard, label: 'Dashboard', icon: LayoutDashboard },
  { to: paths.watchlist, label: 'Watchlist', icon: Star },
  { to: paths.chart, label: 'Chart', icon: ChartCandlestick },
  { to: paths.orders, label: 'Orders', icon: ListOrdered },
  { to: paths.trades, label: 'Trades', icon: ReceiptText },
  { to: paths.positions, label: 'Positions', icon: Briefcase },
  { to: paths.holdings, label: 'Holdings', icon: Wallet },
  { to: paths.analyzer, label: 'Analyzer', icon: FlaskConical },
  { to: paths.actionCenter, label: 'Action Center', icon: Inbox },
  { to: paths.strategies, label: 'Strategies', icon: Webhook },
  { to: paths.broker, label: 'Broker', icon: PlugZap },
  { to: paths.apikey, label: 'API key', icon: KeyRound },
  { to: paths.logs, label: 'Logs', icon: ScrollText },
  { to: paths.admin, label: 'Admin', icon: ShieldCheck, adminOnly: true },
  { to: paths.settings, label: 'Settings', icon: Settings },
];

export function AppLayout() {
  const session = useQuery(sessionQuery);
  const location = useLocation();
  if (session.isPending) return <LoadingState label="Checking your session…" />;
  if (session.isError) {
    return (
      <main className="p-6">
        <ErrorState error={session.error} onRetry={() => void session.refetch()} />
      </main>
    );
  }
  const info = session.data;
  if (info?.available && info.setup_required) return <Navigate to={paths.setup} replace />;
  if (info?.available && !info.authenticated)
    return <Navigate to={paths.login} replace state={{ from: location.pathname }} />;
  return (
    <Shell
      username={info?.user?.username ?? null}
      isAdmin={info?.user?.is_admin ?? false}
      preview={!info?.available}
    />
  );
}

function Shell({
  username,
  isAdmin,
  preview,
}: {
  username: string | null;
  isAdmin: boolean;
  preview: boolean;
}) {
  useTradingHotkeys();
  useOrderEventsRefresh();
  useBrokerSessionEvents();
  const location = useLocation();
  const { theme, setTheme } = useTheme();
  const openTicket = useTicket((s) => s.openTicket);
  const analyzer = useQuery({ ...statusQuery, enabled: !preview }).data?.analyzer_mode === true;
  return (
    <div className="flex h-screen overflow-hidden">
      <nav aria-label="Main" className="flex w-44 shrink-0 flex-col border-r bg-card max-lg:w-12">
        <Link to={paths.dashboard} className="flex h-11 items-center gap-2 border-b px-3">
          <img src="/favicon.svg" alt="" className="size-5" />
          <span className="text-sm font-semibold max-lg:hidden">Algogate</span>
        </Link>
        <ul className="flex-1 space-y-0.5 overflow-y-auto p-1.5">
          {NAV.filter((item) => isAdmin || !item.adminOnly).map((item) => (
            <NavItem key={item.to} to={item.to} label={item.label} icon={item.icon} />
          ))}
          <OptionsNavGroup />
        </ul>
        <div className="border-t p-1.5">
          <Link
            to={paths.logout}
            className="flex h-8 items-center gap-2 rounded-md px-2 text-sm text-muted-foreground hover:bg-accent"
            title="Sign out"
          >
            <LogOut className="size-4" />
            <span className="max-lg:hidden">Sign out</span>
          </Link>
        </div>
      </nav>
      <div className="flex min-w-0 flex-1 flex-col">
        <header
          className={cn(
            'flex h-11 shrink-0 items-center justify-between gap-2 border-b bg-card px-3',
            analyzer && 'border-b-2 border-b-analyzer',
          )}
        >
          <StatusBar />
          <div className="flex items-center gap-1.5">
            <Button size="sm" variant="buy" onClick={() => openTicket({ action: 'BUY' })} title="Buy (B)">
              Buy <kbd className="rounded bg-white/20 px-1 text-[10px]">B</kbd>
            </Button>
            <Button size="sm" variant="sell" onClick={() => openTicket({ action: 'SELL' })} title="Sell (S)">
              Sell <kbd className="rounded bg-white/20 px-1 text-[10px]">S</kbd>
            </Button>
            <Button
              size="icon"
              variant="ghost"
              aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
              onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')}
            >
              {theme === 'dark' ? <Sun /> : <Moon />}
            </Button>
            <span className="text-xs text-muted-foreground" data-testid="current-user">
              {username ?? 'preview'}
            </span>
          </div>
        </header>
        {preview ? (
          <div
            role="note"
            className="border-b border-warning/40 bg-warning/10 px-3 py-1.5 text-xs text-warning"
          >
            <BookOpen className="mr-1 inline size-3.5" />
            Preview: the accounts routes are not available on this server yet, so nothing here is signed in.
          </div>
        ) : null}
        <main className="min-h-0 flex-1 overflow-auto p-3">
          <ErrorBoundary resetKey={location.pathname}>
            <Suspense fallback={<LoadingState />}>
              <Outlet />
            </Suspense>
          </ErrorBoundary>
        </main>
      </div>
      <OrderTicket />
    </div>
  );
}
