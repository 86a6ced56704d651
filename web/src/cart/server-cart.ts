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
// Items in the open server cart as last seen, for the header's count. Kept apart from
// `version`: seeing the cart must not make its views fetch it again.
let itemCount = 0;
const countListeners = new Set<() => void>();

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
  async sync(
    userId: string,
    lines: { product_id: string; variant_id?: string; quantity: number }[],
  ): Promise<ServerCart> {
    const answer = await unwrap(api.POST('/carts', { body: { lines } }));
    active = { userId, id: answer.id };
    serverCart.observe(answer);
    notify();
    return answer;
  },

  /** Adds to the server cart (a variant of a product sold in variants); false when there is none. */
  async add(productId: string, quantity: number, variantId?: string): Promise<boolean> {
    if (!active) return false;
    const answer = await unwrap(
      api.POST('/carts/{id}/lines', {
        params: { path: { id: active.id } },
        body: { product_id: productId, quantity, ...(variantId ? { variant_id: variantId } : {}) },
      }),
    );
    serverCart.observe(answer);
    notify();
    return true;
  },

  /** Sets a line's quantity (accepting its current price); false when there is no server cart. */
  async setQuantity(lineId: string, quantity: number): Promise<boolean> {
    if (!active) return false;
    const answer = await unwrap(
      api.PATCH('/carts/{id}/lines/{lineId}', {
        params: { path: { id: active.id, lineId } },
        body: { quantity },
      }),
    );
    serverCart.observe(answer);
    notify();
    return true;
  },

  /** Signed out, or the cart expired: the device's own cart is shown again. */
  end(): void {
    active = undefined;
    serverCart.observe(undefined);
    notify();
  },

  /** Records what a view of the cart showed; a checked-out cart holds nothing any more. */
  observe(cart: Pick<ServerCart, 'status' | 'lines'> | undefined): void {
    const count = cart?.status === 'open' ? cart.lines.reduce((sum, line) => sum + line.quantity, 0) : 0;
    if (count === itemCount) return;
    itemCount = count;
    for (const listener of countListeners) listener();
  },

  itemCount: (): number => itemCount,

  subscribeToCount(listener: () => void): () => void {
    countListeners.add(listener);
    return () => countListeners.delete(listener);
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

/** Items in the signed-in buyer's server cart, for the header. */
export const useServerCartCount = (): number =>
  useSyncExternalStore(serverCart.subscribeToCount, serverCart.itemCount);
