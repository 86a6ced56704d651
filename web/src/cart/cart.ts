import { useSyncExternalStore } from 'react';
import { serverCart } from './server-cart';

/** What the cart remembers of a product, so it shows (and works offline) without the API. */
export interface CartLine {
  product_id: string;
  quantity: number;
  name: string;
  /** Decimal string in the currency's major unit, as the API gives it. */
  price: string;
  currency: string;
  seller_id: string;
  image_url: string | null;
  /** The variant bought, for a product sold in variants; absent in lines stored before them. */
  variant_id?: string;
  /** The variant's option values as the buyer chose them, e.g. "M, red". */
  variant_label?: string;
}

/** What a line buys: two variants of one product are two lines. */
export type LineKey = Pick<CartLine, 'product_id' | 'variant_id'>;

export const sameLine = (a: LineKey, b: { product_id: string; variant_id?: string | null }): boolean =>
  a.product_id === b.product_id && (a.variant_id ?? null) === (b.variant_id ?? null);

/** A line's name with its variant's options, as orders name it ("Kaos (M, red)"). */
export const lineTitle = (line: Pick<CartLine, 'name' | 'variant_label'>): string =>
  line.variant_label ? `${line.name} (${line.variant_label})` : line.name;

// One cart for the visitor and one per signed-in user, all in localStorage: it survives reloads
// and works offline. Signing in merges the visitor's cart into the user's (see mergeInto).
const ANONYMOUS = 'mamlaka.cart';
const MAX_LINES = 50;
const MAX_QUANTITY = 99;

const OWNER = 'mamlaka.cart.owner';
// Remembered so that a reload with the network cut still shows the signed-in user's cart.
let owner: string | undefined = localStorage.getItem(OWNER) ?? undefined;
const listeners = new Set<() => void>();
/** The sync of the device's cart into the server cart under way, if any. */
let syncing: { userId: string; done: Promise<void> } | undefined;
let cached: { key: string; raw: string | null; lines: CartLine[] } | undefined;

const keyOf = (userId: string | undefined) => (userId ? `${ANONYMOUS}.${userId}` : ANONYMOUS);

function read(key: string): CartLine[] {
  const raw = localStorage.getItem(key);
  if (cached && cached.key === key && cached.raw === raw) return cached.lines;
  let lines: CartLine[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (Array.isArray(parsed)) lines = parsed as CartLine[];
  } catch {
    lines = [];
  }
  cached = { key, raw, lines };
  return lines;
}

function write(key: string, lines: CartLine[]): void {
  localStorage.setItem(key, JSON.stringify(lines.slice(0, MAX_LINES)));
  for (const listener of listeners) listener();
}

/**
 * The server's line for a device line. A line stored without a variant, of a product that has
 * one variant now, is on the server under that variant: matched so a second sync adds nothing.
 */
function serverLineOf<T extends { product_id: string; variant_id: string | null }>(
  lines: readonly T[],
  line: LineKey,
): T | undefined {
  const exact = lines.find((each) => sameLine(line, each));
  if (exact || line.variant_id) return exact;
  const ofProduct = lines.filter((each) => each.product_id === line.product_id);
  return ofProduct.length === 1 ? ofProduct[0] : undefined;
}

const clamp = (quantity: number) => Math.max(0, Math.min(MAX_QUANTITY, Math.trunc(quantity)));

export const cart = {
  lines: (): CartLine[] => read(keyOf(owner)),
  add(line: Omit<CartLine, 'quantity'>, quantity = 1): void {
    // A signed-in buyer's cart is the server's; the device's is only for visitors (and offline).
    if (serverCart.id()) {
      serverCart.add(line.product_id, quantity, line.variant_id).catch(() => this.addHere(line, quantity));
      return;
    }
    this.addHere(line, quantity);
  },
  addHere(line: Omit<CartLine, 'quantity'>, quantity: number): void {
    const lines = [...this.lines()];
    const existing = lines.findIndex((each) => sameLine(each, line));
    if (existing >= 0)
      lines[existing] = {
        ...lines[existing]!,
        ...line,
        quantity: clamp(lines[existing]!.quantity + quantity),
      };
    else lines.push({ ...line, quantity: clamp(quantity) });
    write(keyOf(owner), lines);
  },
  setQuantity(line: LineKey, quantity: number): void {
    const lines = this.lines()
      .map((each) => (sameLine(each, line) ? { ...each, quantity: clamp(quantity) } : each))
      .filter((each) => each.quantity > 0);
    write(keyOf(owner), lines);
  },
  remove(line: LineKey): void {
    write(
      keyOf(owner),
      this.lines().filter((each) => !sameLine(each, line)),
    );
  },
  clear(): void {
    write(keyOf(owner), []);
  },
  /** Switches to the signed-in user's cart, adding what the visitor had put in it. */
  signIn(userId: string): void {
    const visitor = read(ANONYMOUS);
    owner = userId;
    localStorage.setItem(OWNER, userId);
    if (visitor.length > 0) {
      const merged = [...read(keyOf(userId))];
      for (const line of visitor) {
        const existing = merged.findIndex((each) => sameLine(each, line));
        if (existing >= 0)
          merged[existing] = {
            ...line,
            quantity: clamp(Math.max(merged[existing]!.quantity, line.quantity)),
          };
        else merged.push(line);
      }
      localStorage.removeItem(ANONYMOUS);
      write(keyOf(userId), merged);
    } else for (const listener of listeners) listener();
  },
  /**
   * After sign-in, a buyer's device cart goes into their server cart and is emptied: each
   * product at the larger of the two quantities, as two device carts merge (signIn above).
   * Taking the larger, not the sum, makes a sync that runs again harmless: one cut short by a
   * page load before the device's cart was emptied adds nothing the second time. Should the
   * server refuse a line (stock, a product gone), it stays on the device.
   */
  syncToServer(userId: string): Promise<void> {
    // The session can announce the same buyer twice in a row (sign-in, then its profile
    // read): one sync runs at a time per buyer.
    if (syncing?.userId === userId) return syncing.done;
    const done = this.syncOnce(userId).finally(() => {
      if (syncing?.done === done) syncing = undefined;
    });
    syncing = { userId, done };
    return done;
  },
  async syncOnce(userId: string): Promise<void> {
    let server;
    try {
      server = await serverCart.sync(userId, []);
    } catch {
      return; // Kept on the device: the page shows it and checks it out with POST /orders.
    }
    for (const line of this.lines()) {
      const there = serverLineOf(server.lines, line);
      try {
        if (!there) await serverCart.add(line.product_id, line.quantity, line.variant_id);
        else if (there.quantity < line.quantity) await serverCart.setQuantity(there.id, line.quantity);
        this.remove(line);
      } catch {
        // This line stays on the device.
      }
    }
  },
  signOut(): void {
    serverCart.end();
    owner = undefined;
    localStorage.removeItem(OWNER);
    for (const listener of listeners) listener();
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

// Another tab changed the cart.
addEventListener('storage', (event) => {
  if (event.key?.startsWith(ANONYMOUS)) for (const listener of listeners) listener();
});

export const useCart = (): CartLine[] => useSyncExternalStore(cart.subscribe, () => cart.lines());
