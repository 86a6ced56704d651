import { useSyncExternalStore } from 'react';

const subscribe = (notify: () => void) => {
  addEventListener('online', notify);
  addEventListener('offline', notify);
  return () => {
    removeEventListener('online', notify);
    removeEventListener('offline', notify);
  };
};

/** Whether the browser believes it has a network. */
export const useOnline = (): boolean => useSyncExternalStore(subscribe, () => navigator.onLine);

/** The server's mode, written into the page by the gateway (sandbox moves no real money). */
export const serverMode = (): string =>
  document.querySelector<HTMLMetaElement>('meta[name="mamlaka-mode"]')?.content ?? 'sandbox';
