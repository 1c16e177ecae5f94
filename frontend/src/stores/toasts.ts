/** Toast notifications (own store: no library that injects <style> tags past the CSP). */
import { create } from 'zustand';

export type ToastTone = 'success' | 'error' | 'info';
export interface Toast {
  id: number;
  tone: ToastTone;
  title: string;
  description?: string;
}

interface ToastState {
  toasts: Toast[];
  push: (toast: Omit<Toast, 'id'>, ttlMs?: number) => number;
  dismiss: (id: number) => void;
}

let nextId = 1;
const MAX_VISIBLE = 4;

export const useToasts = create<ToastState>((set, get) => ({
  toasts: [],
  push: (toast, ttlMs = 4000) => {
    const id = nextId++;
    set((s) => ({ toasts: [...s.toasts, { ...toast, id }].slice(-MAX_VISIBLE) }));
    if (ttlMs > 0) setTimeout(() => get().dismiss(id), ttlMs);
    return id;
  },
  dismiss: (id) => set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) })),
}));

export const toast = {
  success: (title: string, options: { description?: string } = {}) =>
    useToasts.getState().push({ tone: 'success', title, ...options }),
  error: (title: string, options: { description?: string } = {}) =>
    useToasts.getState().push({ tone: 'error', title, ...options }, 8000),
  info: (title: string, options: { description?: string } = {}) =>
    useToasts.getState().push({ tone: 'info', title, ...options }),
};
