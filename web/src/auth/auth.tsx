import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { cart } from '../cart/cart';
import { session, type TokenPair } from './tokens';

export type Role = 'buyer' | 'seller' | 'admin';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  status: string;
  created_at: string;
  /** Set for this sign-in only: an admin who must set up two-step sign-in before anything else. */
  mfaEnrollmentRequired?: boolean;
}

/** A password login of an account with two-factor sign-in on: the code comes next. */
export interface MfaPending {
  mfaToken: string;
}

interface AuthState {
  /** undefined while a reload's session is being restored. */
  user: User | null | undefined;
  signIn(email: string, password: string): Promise<User | MfaPending>;
  /** The second step of a two-factor login: a TOTP code or a recovery code. */
  completeMfa(mfaToken: string, proof: { code: string } | { recovery_code: string }): Promise<User>;
  register(input: {
    name: string;
    email: string;
    password: string;
    confirm_password: string;
    role: 'buyer' | 'seller';
  }): Promise<User>;
  signOut(): Promise<void>;
  reload(): Promise<void>;
}

const AuthContext = createContext<AuthState | undefined>(undefined);

async function me(): Promise<User> {
  return (await unwrap(api.GET('/users/me'))) as User;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null | undefined>(session.canRefresh() ? undefined : null);
  const queries = useQueryClient();

  useEffect(() => {
    // A reload: the access token was in memory only, the refresh token brings it back.
    if (session.canRefresh() && !session.hasAccessToken())
      void session.refresh().then(async (alive) => {
        // Offline, the refresh token is kept and the user stays unknown (not signed out).
        if (alive) setUser(await me().catch(() => null));
        else if (!session.canRefresh()) setUser(null);
      });
    return session.onChange((signedIn) => {
      if (!signedIn) {
        setUser(null);
        queries.clear();
      }
    });
  }, [queries]);

  const start = useCallback(async (pair: TokenPair & { mfa_enrollment_required?: boolean }) => {
    session.store(pair);
    const profile: User = { ...(await me()), mfaEnrollmentRequired: pair.mfa_enrollment_required === true };
    setUser(profile);
    return profile;
  }, []);

  const signIn = useCallback(
    async (email: string, password: string): Promise<User | MfaPending> => {
      const answer = await unwrap(api.POST('/users/login', { body: { email, password } }));
      if ('mfa_required' in answer) return { mfaToken: answer.mfa_token };
      return start(answer as TokenPair);
    },
    [start],
  );

  const completeMfa = useCallback<AuthState['completeMfa']>(
    async (mfaToken, proof) =>
      start(
        (await unwrap(api.POST('/auth/login/mfa', { body: { mfa_token: mfaToken, ...proof } }))) as TokenPair,
      ),
    [start],
  );

  const register = useCallback<AuthState['register']>(
    async (input) => {
      await unwrap(api.POST('/users/register', { body: input }));
      // A new account has no second factor yet.
      return (await signIn(input.email, input.password)) as User;
    },
    [signIn],
  );

  const signOut = useCallback(async () => {
    const refreshToken = session.refreshToken();
    if (refreshToken)
      await api.POST('/auth/logout', { body: { refresh_token: refreshToken } }).catch(() => undefined);
    session.clear();
  }, []);

  useEffect(() => {
    if (user) {
      cart.signIn(user.id);
      if (user.role === 'buyer') void cart.syncToServer(user.id);
    } else if (user === null) cart.signOut();
  }, [user]);

  const reload = useCallback(async () => setUser(await me()), []);

  const value = useMemo(
    () => ({ user, signIn, completeMfa, register, signOut, reload }),
    [user, signIn, completeMfa, register, signOut, reload],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error('useAuth outside AuthProvider');
  return state;
}
