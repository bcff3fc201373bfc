/** An idle wait that a kick cuts short: what the outbox senders sleep on between rounds. */
export function wakeableSleep() {
  let wake: (() => void) | undefined;
  return {
    sleep(ms: number) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    },
    /** Ends the current sleep now (nothing when none is under way). */
    wake() {
      wake?.();
    },
  };
}
