import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';

/** Whether the server offers sign-in with an OpenID provider, and the provider's name. */
export function useOidcProvider() {
  return useQuery({
    queryKey: ['auth', 'oidc'],
    queryFn: () => unwrap(api.GET('/auth/oidc')),
    staleTime: 5 * 60_000,
  });
}

/** Where the button sends the browser: the server redirects it on to the provider. */
export const oidcAuthorizeUrl = (returnTo: string) =>
  `/auth/oidc/authorize?return_to=${encodeURIComponent(returnTo)}`;
