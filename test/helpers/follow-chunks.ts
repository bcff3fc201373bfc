import type { Channel } from '../../lib/channel';
import type { LogChunk } from '../../services/log-chunks';

/** Follows a hub subscription (chunks of entries): every seq it delivers, a wait for the n-th, and its end. */
export function followChunks(ch: Channel<LogChunk>) {
  const seqs: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const done = (async () => {
    for (;;) {
      const r = await ch.next();
      if (r.done) return seqs;
      for (const e of r.value) seqs.push(e.seq);
      for (const w of waiters.splice(0)) if (seqs.length >= w.n) w.resolve();
      else waiters.push(w);
    }
  })();
  const has = (n: number) => (seqs.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
  return { seqs, has, done };
}
