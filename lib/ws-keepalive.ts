/**
 * Keep-alive of the GraphQL WebSocket, in place of graphql-ws's own. Every interval each open socket
 * gets a ping; a socket is ended only when, one whole interval later, it has neither answered a ping
 * nor taken any of the bytes queued for it — a peer that is gone, not one that is busy reading.
 *
 * graphql-ws ends a socket whose pong has not come back within one interval (12 s). A ping is queued
 * behind everything already sent on that socket, so a live viewer of a fast log that was still
 * reading more than 12 s of queued lines had its socket ended while it read (seen as 0 of 100
 * viewers getting every line of a 200,000-line job: one viewer's socket closed with 1006).
 */
import type net from 'node:net';
import type { WebSocket, WebSocketServer } from 'ws';

export const WS_KEEPALIVE_MS = 12_000;

type Watch = { ponged: boolean; taken: number };

/** Bytes of this socket that the kernel has taken (written and no longer queued in the process). */
function taken(ws: WebSocket) {
  const socket = (ws as unknown as { _socket?: net.Socket })._socket;
  return socket ? socket.bytesWritten - socket.writableLength : 0;
}

/** Starts pinging the server's sockets; returns what stops it. */
export function keepSocketsAlive(wss: WebSocketServer, intervalMs = WS_KEEPALIVE_MS) {
  const watched = new WeakMap<WebSocket, Watch>();
  wss.on('connection', (ws: WebSocket) => {
    const w: Watch = { ponged: true, taken: taken(ws) };
    watched.set(ws, w);
    ws.on('pong', () => (w.ponged = true));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      const w = watched.get(ws);
      if (!w || ws.readyState !== ws.OPEN) continue;
      if (!w.ponged && taken(ws) === w.taken) {
        ws.terminate();
        continue;
      }
      w.ponged = false;
      ws.ping();
      // After the ping: the ping's own bytes are not a sign of life.
      w.taken = taken(ws);
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
