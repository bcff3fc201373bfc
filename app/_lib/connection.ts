// The WebSocket's state, shared by the "live connection lost" banner and by the parts that must
// catch up after a reconnect (the jobs list re-reads its rows, the log viewer resubscribes from
// the last seq it holds).

/** `signedOut` is final until the next sign-in: retrying with an ended session only fails again. */
export type LinkState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'signedOut';

/**
 * graphql-ws Unauthorized and Forbidden: the server refuses a socket without a live session
 * (lib/web.ts), and closes open ones when their session ends or their token is revoked.
 */
export const AUTH_CLOSE_CODES: ReadonlySet<number> = new Set([4401, 4403]);

type Listener = () => void;

let state: LinkState = 'idle';
let everConnected = false;
const listeners = new Set<Listener>();
const reconnectListeners = new Set<Listener>();
const connectListeners = new Set<Listener>();
const closeListeners = new Set<Listener>();

function set(next: LinkState) {
  if (next === state) return;
  state = next;
  for (const l of listeners) l();
}

export const connection = {
  get: () => state,
  subscribe(l: Listener) {
    listeners.add(l);
    return () => void listeners.delete(l);
  },
  /** Called after a reconnect (not the first connect): anything pushed meanwhile was missed. */
  onReconnected(l: Listener) {
    reconnectListeners.add(l);
    return () => void reconnectListeners.delete(l);
  },
  /**
   * Called on every connect, the first one too: a page that read its data over HTTP while the socket
   * was still connecting missed what was pushed before its subscription existed.
   */
  onConnected(l: Listener) {
    connectListeners.add(l);
    return () => void connectListeners.delete(l);
  },
  /** Called when an open socket closes for any reason but our own idle close. */
  onLost(l: Listener) {
    closeListeners.add(l);
    return () => void closeListeners.delete(l);
  },
  connecting() {
    if (state !== 'reconnecting' && state !== 'signedOut') set('connecting');
  },
  connected(wasRetry: boolean) {
    const again = everConnected || wasRetry;
    everConnected = true;
    set('connected');
    for (const l of connectListeners) l();
    if (again) for (const l of reconnectListeners) l();
  },
  closed(code: number | undefined) {
    if (state === 'signedOut') return;
    if (code !== undefined && AUTH_CLOSE_CODES.has(code)) {
      connection.signedOut();
      return;
    }
    // 1000 is graphql-ws closing an idle lazy socket (no subscription left): nothing is lost.
    if (code === 1000) {
      set('idle');
      return;
    }
    set('reconnecting');
    for (const l of closeListeners) l();
  },
  /** The session ended (elsewhere, by expiry, or by revocation): only signing in again helps. */
  signedOut() {
    set('signedOut');
  },
  /** A sign-in or sign-out: the next session's socket may connect again. */
  reset() {
    set('idle');
  },
};
