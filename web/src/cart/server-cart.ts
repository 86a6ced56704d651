import { useSyncExternalStore } from 'react';
import { api, unwrap } from '../api/client';
import type { paths } from '../api/schema';

/** A cart as the server answers it: accepted and live prices, stock, totals. */
export type ServerCart =
  paths['/carts/{id}']['get']['responses']['200']['content']['application/json']['results'];

// A signed-in buyer's cart lives on the server. Its id is held in memory only: every sign-in
// (and every reload's restored session) asks the server for the buyer's open cart again.
const listeners = new Set<() => void>();
let active: { userId: string; id: string } | undefined;
// Bumped on each change made here, so views of the cart fetch it again.
let version = 0;

function notify() {
  version += 1;
  for (const listener of listeners) listener();
}

export const serverCart = {
  id: (): string | undefined => active?.id,
  version: (): number => version,
  userId: (): string | undefined => active?.userId,

  /**
   * Sign-in: the device's lines go into the buyer's one server cart (quantities added) and
   * from then on the server cart is the one shown and checked out.
   */
  async sync(userId: string, lines: { product_id: string; quantity: number }[]): Promise<ServerCart> {
    const answer = await unwrap(api.POST('/carts', { body: { lines } }));
    active = { userId, id: answer.id };
    notify();
    return answer;
  },

  /** Adds to the server cart; false when there is none to add to. */
  async add(productId: string, quantity: number): Promise<boolean> {
    if (!active) return false;
    await unwrap(
      api.POST('/carts/{id}/lines', {
        params: { path: { id: active.id } },
        body: { product_id: productId, quantity },
      }),
    );
    notify();
    return true;
  },

  /** Signed out, or the cart expired: the device's own cart is shown again. */
  end(): void {
    active = undefined;
    notify();
  },

  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export const useServerCartId = (): string | undefined =>
  useSyncExternalStore(serverCart.subscribe, serverCart.id);

/** Changes with every change made through serverCart: part of the cart query's key. */
export const useServerCartVersion = (): number =>
  useSyncExternalStore(serverCart.subscribe, serverCart.version);
