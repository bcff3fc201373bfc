'use client';

import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';

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

/**
 * Gives focus back to what opened a modal once it closes. Mantine's own return only follows the
 * `opened` prop changing; the job window and the log viewer are mounted open (from the URL) and
 * unmounted to close, so without this a keyboard user lands on <body> at the top of the page.
 */
function useReturnFocus(opened: boolean) {
  const opener = useRef<HTMLElement | null>(null);
  // A layout effect runs before Mantine's focus trap moves focus (it waits for a timeout), so the
  // active element here is still the control that opened the modal.
  useLayoutEffect(() => {
    if (!opened) return;
    const el = document.activeElement;
    opener.current = el instanceof HTMLElement && el !== document.body ? el : null;
  }, [opened]);
  const openings = useRef(0);
  useEffect(() => {
    if (!opened) return;
    const mine = ++openings.current;
    return () => {
      const el = opener.current;
      if (!el) return;
      // Two timeouts: a modal below this one re-arms its focus trap in the same commit, and that
      // trap focuses its first control in a timeout of its own; the opener must win over it.
      // (A newer opening in between is React re-running effects, not a close: nothing to return.)
      setTimeout(() => setTimeout(() => {
        if (openings.current === mine && el.isConnected) el.focus({ preventScroll: true });
      }));
    };
  }, [opened]);
}

/** True while this modal is open and no modal opened after it is still open; returns focus on close. */
export function useIsTopModal(opened: boolean): boolean {
  const [id] = useState(() => nextId++);
  useReturnFocus(opened);
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
