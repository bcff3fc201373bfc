'use client';

import { useLayoutEffect, useState, useSyncExternalStore } from 'react';

// Mantine's modals each listen for Escape on window; stacked ones (log viewer over the job window,
// a confirmation over either) would all close on one key press. Only the top one may take it.

let stack: number[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());
const subscribe = (l: () => void) => {
  listeners.add(l);
  return () => void listeners.delete(l);
};

/** True while this modal is open and no modal opened after it is still open. */
export function useIsTopModal(opened: boolean): boolean {
  const [id] = useState(() => nextId++);
  useLayoutEffect(() => {
    if (!opened) return;
    stack = [...stack, id];
    emit();
    return () => {
      stack = stack.filter((x) => x !== id);
      emit();
    };
  }, [opened, id]);
  return useSyncExternalStore(subscribe, () => opened && stack[stack.length - 1] === id, () => false);
}
