import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';

/** English and Indonesian (the seed's market). */
export const LANGUAGES = ['en', 'id'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'mamlaka.language';
const LOCALES: Record<Language, string> = { en: 'en-US', id: 'id-ID' };

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'id') return stored;
  return navigator.language.toLowerCase().startsWith('id') ? 'id' : 'en';
}

interface LanguageState {
  language: Language;
  /** The BCP 47 locale Intl formats money and dates with. */
  locale: string;
  setLanguage(language: Language): void;
}

const LanguageContext = createContext<LanguageState | undefined>(undefined);

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [language, setState] = useState<Language>(initialLanguage);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setState(next);
  }, []);
  document.documentElement.lang = language;
  const value = useMemo(
    () => ({ language, locale: LOCALES[language], setLanguage }),
    [language, setLanguage],
  );
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useLanguage(): LanguageState {
  const state = useContext(LanguageContext);
  if (!state) throw new Error('useLanguage outside LanguageProvider');
  return state;
}

type Vars = Record<string, string | number>;

/**
 * Each part of the app keeps its own messages beside its pages:
 *   const useT = defineMessages({ en: { greeting: 'Hello {name}' }, id: { greeting: 'Halo {name}' } });
 *   const t = useT(); t('greeting', { name })
 * Indonesian must have every English key (a type error otherwise).
 */
export function defineMessages<K extends string>(messages: { en: Record<K, string>; id: Record<K, string> }) {
  return function useT() {
    const { language } = useLanguage();
    return useCallback(
      (key: K, vars?: Vars) => {
        const text = messages[language][key] ?? messages.en[key];
        return vars
          ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`))
          : text;
      },
      [language],
    );
  };
}
