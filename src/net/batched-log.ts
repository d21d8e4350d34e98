/**
 * Log lines written together once per turn of the event loop: under load, one write per burst of
 * requests instead of one per request (a write to stderr is a system call, ~20 µs of a proxied request
 * here). `flush` writes what is pending at once (on close). Used by the emulator and the bridge.
 */
export interface BatchedLog {
  log: (line: string) => void;
  flush: () => void;
}

export function batchedLog(write: (text: string) => void): BatchedLog {
  let pending: string[] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join('');
    pending = [];
    write(text);
  };
  return {
    log: (line) => {
      pending.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
