import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { useTranslations } from 'next-intl';
import { useMemo } from 'react';

export interface ApiError {
  code: string | undefined;
  field: string | undefined;
  message: string;
}

/**
 * The console's own words in these errors (the rest is the API's messages, shown as they come):
 * a network failure and "something went wrong". English until useErrorTexts() (called once in
 * Providers) installs the console's language; every caller of errorMessage() & co. then gets it
 * without passing anything. A caller may also pass its own texts.
 */
export interface ErrorTexts {
  network: (detail: string) => string;
  fallback: string;
}

const ENGLISH: ErrorTexts = {
  network: (detail) => `The server could not be reached (${detail}). Check your connection and try again.`,
  fallback: 'Something went wrong.',
};

let current: ErrorTexts = ENGLISH;

/**
 * The error texts in the console's language (messages: common.errors), installed as the default of
 * the functions below. In the browser only: a server renders requests of several languages at once,
 * and error messages are only ever made there after a request failed in the browser.
 */
export function useErrorTexts(): ErrorTexts {
  const t = useTranslations('common');
  const texts = useMemo<ErrorTexts>(() => ({ network: (detail) => t('errors.network', { detail }), fallback: t('errors.fallback') }), [t]);
  if (typeof window !== 'undefined') current = texts;
  return texts;
}

/** The GraphQL errors of a failed operation as { code, field, message }; network failures become one entry. */
export function apiErrors(error: unknown, texts: ErrorTexts = current): ApiError[] {
  if (!error) return [];
  if (CombinedGraphQLErrors.is(error)) {
    return error.errors.map((e) => ({
      code: typeof e.extensions?.code === 'string' ? e.extensions.code : undefined,
      field: typeof e.extensions?.field === 'string' ? e.extensions.field : undefined,
      message: e.message,
    }));
  }
  const message = error instanceof Error ? error.message : String(error);
  return [{ code: 'NETWORK', field: undefined, message: texts.network(message) }];
}

export function firstError(error: unknown, texts: ErrorTexts = current): ApiError | undefined {
  return apiErrors(error, texts)[0];
}

export function errorMessage(error: unknown, texts: ErrorTexts = current): string {
  return apiErrors(error, texts).map((e) => e.message).join(' ') || texts.fallback;
}

/** Errors whose extensions.field starts with `prefix`, keyed by the rest of the path (e.g. "[1]"). */
export function fieldErrors(error: unknown, prefix: string, texts: ErrorTexts = current): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of apiErrors(error, texts)) {
    if (e.code === 'BAD_USER_INPUT' && e.field?.startsWith(prefix)) out.set(e.field.slice(prefix.length), e.message);
  }
  return out;
}
