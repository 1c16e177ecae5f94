/** Every route of the SPA, typed: links use `paths.x`, never string literals. */
export const paths = {
  setup: '/setup',
  login: '/login',
  logout: '/logout',
  resetPassword: '/reset-password',
  dashboard: '/dashboard',
  orders: '/orderbook',
  trades: '/tradebook',
  positions: '/positions',
  holdings: '/holdings',
  watchlist: '/watchlist',
  chart: '/chart',
  analyzer: '/analyzer',
  broker: '/broker',
  apikey: '/apikey',
  logs: '/logs',
  admin: '/admin',
  settings: '/settings',
} as const;

export type AppPath = (typeof paths)[keyof typeof paths];
