import { lazy } from 'react';
import { createBrowserRouter, Navigate } from 'react-router';
import { AppLayout } from './layouts/AppLayout';
import { NotFoundPage } from './pages/NotFoundPage';
import { paths } from './paths';
import { RouteError } from './RouteError';

// Pages load on demand so the first paint carries only the shell.
const page = <T extends Record<string, React.ComponentType>>(load: () => Promise<T>, name: keyof T) =>
  lazy(async () => ({ default: (await load())[name] as React.ComponentType }));

const SetupPage = page(() => import('@/features/auth/SetupPage'), 'SetupPage');
const LoginPage = page(() => import('@/features/auth/LoginPage'), 'LoginPage');
const LogoutPage = page(() => import('@/features/auth/LogoutPage'), 'LogoutPage');
const ResetPasswordPage = page(() => import('@/features/auth/ResetPasswordPage'), 'ResetPasswordPage');
const DashboardPage = page(() => import('@/features/dashboard/DashboardPage'), 'DashboardPage');
const OrdersPage = page(() => import('@/features/books/OrdersPage'), 'OrdersPage');
const TradesPage = page(() => import('@/features/books/TradesPage'), 'TradesPage');
const PositionsPage = page(() => import('@/features/books/PositionsPage'), 'PositionsPage');
const HoldingsPage = page(() => import('@/features/books/HoldingsPage'), 'HoldingsPage');
const WatchlistPage = page(() => import('@/features/watchlist/WatchlistPage'), 'WatchlistPage');
const ChartPage = page(() => import('@/features/chart/ChartPage'), 'ChartPage');
const OptionChainPage = page(() => import('@/features/options/OptionChainPage'), 'OptionChainPage');
const StraddlePage = page(() => import('@/features/options/StraddlePage'), 'StraddlePage');
const IvChartPage = page(() => import('@/features/options/IvChartPage'), 'IvChartPage');
const IvSmilePage = page(() => import('@/features/options/IvSmilePage'), 'IvSmilePage');
const GexPage = page(() => import('@/features/options/GexPage'), 'GexPage');
const OiTrackerPage = page(() => import('@/features/options/OiTrackerPage'), 'OiTrackerPage');
const OiProfilePage = page(() => import('@/features/options/OiProfilePage'), 'OiProfilePage');
const MaxPainPage = page(() => import('@/features/options/MaxPainPage'), 'MaxPainPage');
const VolSurfacePage = page(() => import('@/features/options/VolSurfacePage'), 'VolSurfacePage');
const BrokerPage = page(() => import('@/features/broker/BrokerPage'), 'BrokerPage');
const AnalyzerPage = page(() => import('@/features/analyzer/AnalyzerPage'), 'AnalyzerPage');
const ActionCenterPage = page(() => import('@/features/actioncenter/ActionCenterPage'), 'ActionCenterPage');
const StrategiesPage = page(() => import('@/features/strategies/StrategiesPage'), 'StrategiesPage');
const StrategyEditPage = page(() => import('@/features/strategies/StrategyEditPage'), 'StrategyEditPage');
const ApiKeyPage = page(() => import('@/features/apikey/ApiKeyPage'), 'ApiKeyPage');
const LogsPage = page(() => import('@/features/logs/LogsPage'), 'LogsPage');
const AdminPage = page(() => import('@/features/admin/AdminPage'), 'AdminPage');
const SettingsPage = page(() => import('@/features/settings/SettingsPage'), 'SettingsPage');

export const router = createBrowserRouter([
  {
    errorElement: <RouteError />,
    children: [
      { path: paths.setup, element: <SetupPage /> },
      { path: paths.login, element: <LoginPage /> },
      { path: paths.logout, element: <LogoutPage /> },
      { path: paths.resetPassword, element: <ResetPasswordPage /> },
      {
        element: <AppLayout />,
        children: [
          { path: '/', element: <Navigate to={paths.dashboard} replace /> },
          { path: paths.dashboard, element: <DashboardPage /> },
          { path: paths.watchlist, element: <WatchlistPage /> },
          { path: paths.chart, element: <ChartPage /> },
          { path: paths.optionChain, element: <OptionChainPage /> },
          { path: paths.straddle, element: <StraddlePage /> },
          { path: paths.ivChart, element: <IvChartPage /> },
          { path: paths.ivSmile, element: <IvSmilePage /> },
          { path: paths.gex, element: <GexPage /> },
          { path: paths.oiTracker, element: <OiTrackerPage /> },
          { path: paths.oiProfile, element: <OiProfilePage /> },
          { path: paths.maxPain, element: <MaxPainPage /> },
          { path: paths.volSurface, element: <VolSurfacePage /> },
          { path: paths.orders, element: <OrdersPage /> },
          { path: paths.trades, element: <TradesPage /> },
          { path: paths.positions, element: <PositionsPage /> },
          { path: paths.holdings, element: <HoldingsPage /> },
          { path: paths.analyzer, element: <AnalyzerPage /> },
          { path: paths.actionCenter, element: <ActionCenterPage /> },
          { path: paths.strategies, element: <StrategiesPage /> },
          { path: paths.strategyNew, element: <StrategyEditPage /> },
          { path: paths.strategy, element: <StrategyEditPage /> },
          { path: paths.broker, element: <BrokerPage /> },
          { path: paths.apikey, element: <ApiKeyPage /> },
          { path: paths.logs, element: <LogsPage /> },
          { path: paths.admin, element: <AdminPage /> },
          { path: paths.settings, element: <SettingsPage /> },
          { path: '*', element: <NotFoundPage /> },
        ],
      },
    ],
  },
]);
