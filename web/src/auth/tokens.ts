/**
 * Where the session's tokens live. The access token (15 minutes) stays in memory only, so a
 * script injected into the page cannot read it from storage after the fact. The refresh token
 * is kept in localStorage so that a reload (or a new tab) keeps the user signed in; the
 * trade-off is that an XSS could read it. The CSP (no inline or third-party scripts) is what
 * keeps scripts out, and the API makes refresh tokens single-use with reuse detection, so a
 * stolen one that is used after the app's own use revokes the whole session.
 */
const REFRESH_KEY = 'mamlaka.refresh_token';
// Access tokens this close to expiry are renewed before use rather than sent to fail.
const RENEW_BEFORE_MS = 20_000;

export interface TokenPair {
  token: string;
  expires_in: number;
  refresh_token: string;
}

type Listener = (signedIn: boolean) => void;

class Session {
  private accessToken: string | undefined;
  private expiresAtMs = 0;
  private refreshing: Promise<boolean> | undefined;
  private readonly listeners = new Set<Listener>();

  canRefresh(): boolean {
    return localStorage.getItem(REFRESH_KEY) !== null;
  }

  hasAccessToken(): boolean {
    return this.accessToken !== undefined;
  }

  store(pair: TokenPair): void {
    this.accessToken = pair.token;
    this.expiresAtMs = Date.now() + pair.expires_in * 1000;
    localStorage.setItem(REFRESH_KEY, pair.refresh_token);
    for (const listener of this.listeners) listener(true);
  }

  clear(): void {
    this.accessToken = undefined;
    this.expiresAtMs = 0;
    localStorage.removeItem(REFRESH_KEY);
    for (const listener of this.listeners) listener(false);
  }

  refreshToken(): string | null {
    return localStorage.getItem(REFRESH_KEY);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async authorize(request: Request): Promise<Request> {
    if (this.accessToken && Date.now() > this.expiresAtMs - RENEW_BEFORE_MS && this.canRefresh())
      await this.refresh();
    if (this.accessToken) request.headers.set('authorization', `Bearer ${this.accessToken}`);
    return request;
  }

  /**
   * Exchanges the refresh token for a new pair. Refresh tokens are single-use and a reused one
   * revokes the session, so tabs take turns (a Web Lock) and each reads the token the previous
   * one left. Answers whether the session is still alive.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.exclusive(() => this.exchange()).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (!navigator.locks) return work();
    return navigator.locks.request('mamlaka.refresh', work) as Promise<T>;
  }

  private async exchange(): Promise<boolean> {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    let response: Response;
    try {
      response = await fetch('/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
    } catch {
      return false; // offline: keep the refresh token for when the network is back
    }
    if (!response.ok) {
      // Spent, expired or revoked: the session is over. Anything else may pass.
      if (response.status === 400 || response.status === 401 || response.status === 403) this.clear();
      return false;
    }
    const body = (await response.json()) as { results: TokenPair };
    this.store(body.results);
    return true;
  }
}

export const session = new Session();
