/**
 * Response shapes of session (web) routes whose OpenAPI entry is untyped (`dict[str, Any]`), and
 * of the routes the SPA needs that do not exist yet.
 *
 * Request bodies, query parameters and enums are generated (schema.d.ts, `npm run api`) and only
 * re-exported here. The answers are typed by hand because the backend declares no
 * `response_model` for them (the comment above an interface names its route). When a route gains
 * a response model, regenerate the client and delete its entry here. The data payloads mirror
 * OpenAlgo's /api/v1 `data` objects.
 */

import type { components, operations } from './schema';

type Schemas = components['schemas'];

export type Envelope<T> = { status: 'success' | 'error' | 'info' | 'warning'; message?: string; data: T };

// Enumerations come from the generated schema (the /api/v1 request models declare them).
export type Exchange = Schemas['Exchange'];
export type Action = Schemas['Action'];
export type PriceType = Schemas['PriceType'];
export type Product = Schemas['Product'];

// --- exist (issues 3 and 5) but return untyped JSON: a `response_model` would generate these ---

export interface SessionInfo {
  authenticated: boolean;
  setup_required: boolean;
  user: { id: number; username: string; is_admin: boolean } | null;
  csrf_token: string | null;
}

export interface LoginResult {
  totp_required: boolean;
  csrf_token: string | null;
}

export interface ApiKeyInfo {
  api_key: string | null;
}

export interface TrafficEntry {
  id: number;
  timestamp: string;
  client_ip: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  user_id: number | null;
  request_id: string;
}

export interface ApiLogEntry {
  id: number;
  timestamp: string;
  path: string;
  status: number;
  duration_ms: number;
  request: unknown;
  response: unknown;
  request_id: string;
}

export interface LatencyRow {
  broker: string;
  operation: string;
  count: number;
  errors: number;
  p50_ms: number;
  p90_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface AdminUserRow {
  id: number;
  username: string;
  is_admin: boolean;
  is_active: boolean;
  totp_enabled: boolean;
  created_at: string;
}

export interface IpBan {
  ip: string;
  reason: string;
  expires_at: string | null;
  created_at: string;
}

/** GET /web/trading/profile */
export interface TradingProfile {
  broker: string;
  analyze_mode: boolean;
  order_mode: string;
  market_open: boolean;
  market_message: string;
}

/** GET /web/trading/broker-session */
export interface BrokerSession {
  broker: string;
  state: string;
  expires_at: string | null;
  message: string;
}

/** Answers of order operations: `{status, orderid?, message?, mode?}` at the top level (OpenAlgo). */
export interface OrderResult {
  status: string;
  orderid?: string;
  message?: string;
  mode?: string;
  canceled_orders?: string[];
  failed_cancellations?: unknown[];
}

/** What the status bar shows, composed from /web/trading/profile and /web/trading/broker-session. */
export interface Status {
  broker: string;
  broker_connected: boolean;
  broker_state: string;
  analyzer_mode: boolean;
  /** null when the profile does not say (an older server) */
  market_open: boolean | null;
  market_message: string;
}

export interface Funds {
  availablecash: number | string;
  collateral: number | string;
  m2mrealized: number | string;
  m2munrealized: number | string;
  utiliseddebits: number | string;
  total_realized_pnl?: number;
  today_realized_pnl?: number;
  totalpnl?: number;
  reset_count?: number;
}

export interface Order {
  orderid: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  price: number;
  trigger_price: number;
  pricetype: PriceType;
  product: Product;
  order_status: string;
  timestamp: string;
  average_price?: number;
  filled_quantity?: number;
  rejection_reason?: string;
}

export interface OrderBook {
  orders: Order[];
  statistics: {
    total_buy_orders: number;
    total_sell_orders: number;
    total_completed_orders: number;
    total_open_orders: number;
    total_rejected_orders: number;
  };
}

export interface Trade {
  tradeid?: string;
  orderid: string;
  symbol: string;
  exchange: string;
  action: Action;
  quantity: number;
  average_price: number;
  trade_value: number;
  product: Product;
  timestamp: string;
}

export interface Position {
  symbol: string;
  exchange: string;
  product: Product;
  quantity: number;
  average_price: number | string;
  ltp: number;
  pnl: number;
  pnlpercent?: number;
  today_realized_pnl?: number;
  lot_size?: number;
}

export interface Holding {
  symbol: string;
  exchange: string;
  product: Product;
  quantity: number;
  average_price: number;
  ltp?: number;
  pnl: number;
  pnlpercent: number;
}

export interface Holdings {
  holdings: Holding[];
  statistics: {
    totalholdingvalue: number;
    totalinvvalue: number;
    totalprofitandloss: number;
    totalpnlpercentage: number;
  };
}

/** GET /web/market/quotes answers `{ "NSE:SBIN": Quote, … }`. */
export interface Quote {
  ltp: number;
  open: number;
  high: number;
  low: number;
  prev_close: number;
  bid: number;
  ask: number;
  volume: number;
}

/** The body of POST /web/trading/orders (generated), with numbers where the form has them. */
export type OrderRequest = Pick<
  Schemas['PlaceOrderBody'],
  'symbol' | 'exchange' | 'action' | 'pricetype' | 'product'
> & {
  quantity: number;
  price?: number;
  trigger_price?: number;
};

/** GET /web/market/search?query=&exchange=&limit= (the rows of /api/v1/search). */
export interface Instrument {
  symbol: string;
  brsymbol?: string;
  name: string;
  exchange: string;
  brexchange?: string;
  token?: string;
  expiry: string;
  strike: number;
  lotsize: number;
  instrumenttype: string;
  tick_size: number;
  freeze_qty?: number;
}

/** Query parameters of GET /web/market/search and /history (generated). */
export type SearchParams = operations['search_web_market_search_get']['parameters']['query'];
export type HistoryParams = operations['history_web_market_history_get']['parameters']['query'];
export type HistoryInterval = HistoryParams['interval'];

/** GET /web/market/history: one candle, `timestamp` in epoch seconds. */
export interface Candle {
  timestamp: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  oi?: number;
}

/** The body of POST /web/watchlists and PUT /web/watchlists/{id} (generated). */
export type WatchlistBody = Schemas['WatchlistBody'];
export type WatchlistItem = Schemas['Item'];

/** GET /web/watchlists rows; POST/PUT answer one. */
export interface Watchlist {
  id: number;
  name: string;
  items: WatchlistItem[];
}

/** GET /web/trading/brokers */
export interface BrokerInfo {
  name: string;
  display_name: string;
  auth_type: string;
  family: string | null;
}

// --- routes that do not exist yet -----------------------------------------------------------------

/** Proposed: GET /web/analyzer/log?limit=200 */
export interface AnalyzerLogEntry {
  id: number;
  timestamp: string;
  api_type: string;
  symbol: string | null;
  action: string | null;
  quantity: number | null;
  status: 'success' | 'error';
  message: string;
}
