/** The order ticket is one app-wide dialog; any page opens it pre-filled. */
import { create } from 'zustand';
import type { Action, Product } from '@/lib/api/pending';

export interface TicketPrefill {
  symbol?: string;
  exchange?: string;
  action?: Action;
  quantity?: number;
  product?: Product;
}

interface TicketState {
  open: boolean;
  prefill: TicketPrefill;
  openTicket: (prefill?: TicketPrefill) => void;
  close: () => void;
}

export const useTicket = create<TicketState>((set) => ({
  open: false,
  prefill: {},
  openTicket: (prefill = {}) => set({ open: true, prefill }),
  close: () => set({ open: false }),
}));
