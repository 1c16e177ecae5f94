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
  optionChain: '/optionchain',
  straddle: '/straddle',
  ivChart: '/ivchart',
  ivSmile: '/ivsmile',
  gex: '/gex',
  oiTracker: '/oitracker',
  oiProfile: '/oiprofile',
  maxPain: '/maxpain',
  volSurface: '/volsurface',
  analyzer: '/analyzer',
  actionCenter: '/action-center',
  strategies: '/strategy',
  strategyNew: '/strategy/new',
  strategy: '/strategy/:id',
  broker: '/broker',
  apikey: '/apikey',
  logs: '/logs',
  admin: '/admin',
  settings: '/settings',
} as const;

export type AppPath = (typeof paths)[keyof typeof paths];

/** The edit page of one strategy. */
export const strategyPath = (id: number): string => `/strategy/${id}`;
