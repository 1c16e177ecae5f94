/**
 * Response shapes of session (web) routes that the backend's OpenAPI does not describe yet, and
 * of the routes the SPA needs that do not exist yet.
 *
 * This file is a contract proposal, not a hand-typed copy of existing routes: each entry is the
 * route the lead was asked to add (docs/frontend.md, "Backend routes the SPA needs"). When a route
 * lands, regenerate the client (`npm run api`), switch the feature's api.ts to `api.GET/POST(...)`
 * and delete the entry here. The data payloads mirror OpenAlgo's /api/v1 `data` objects so the
 * backend can reuse its v1 response models.
 */

import type { components } from './schema';

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

export interface TradingProfile {
  broker: string;
  analyze_mode: boolean;
  order_mode: string;
}

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
  /** null until a market-status route exists */
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

// --- routes that do not exist yet -----------------------------------------------------------------

/** GET /web/search?query=&exchange= (symbol search; none yet for the web session). */
export interface Instrument {
  symbol: string;
  name: string;
  exchange: string;
  expiry: string;
  strike: number;
  lotsize: number;
  instrumenttype: string;
  tick_size: number;
}

export interface Watchlist {
  id: number;
  name: string;
  items: { symbol: string; exchange: string }[];
}

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
