'use client';

import { createContext, useContext } from 'react';
import type { Viewer } from '../_lib/types';

const ViewerContext = createContext<Viewer | null>(null);

export const ViewerProvider = ViewerContext.Provider;

/** The signed-in user; only used below the console layout, which renders nothing until it is known. */
export function useViewer(): Viewer {
  const v = useContext(ViewerContext);
  if (!v) throw new Error('useViewer outside the signed-in layout');
  return v;
}
