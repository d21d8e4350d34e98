import { fstatSync, writeSync } from 'node:fs';

/*
 * A command's result goes to stdout through here. Creating process.stdout for a pipe or socket loads
 * Node's net and stream modules: ~5 ms of a ~40 ms `--help` or `create` (measured with the benchmark's
 * pipes), so a pipe, socket or file gets plain synchronous write(2) calls instead. A terminal, the
 * null device and every stdout on Windows keep process.stdout, which converts text for the Windows
 * console. Once process.stdout exists (batch streams through it, a write would block), everything goes
 * through it so that output stays in order.
 */

let stream: NodeJS.WriteStream | undefined;
let direct: boolean | undefined;

// A reader that stops early (`qs-jwt … | head`) closes the pipe: that ends the command quietly, as in
// any Unix tool, instead of an unhandled EPIPE stack trace.
function endOnBrokenPipe(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
}

/** process.stdout, for output that streams (batch) or asks about the terminal; created on first use. */
export function stdoutStream(): NodeJS.WriteStream {
  if (!stream) {
    stream = process.stdout;
    stream.on('error', endOnBrokenPipe);
  }
  return stream;
}

function writesDirectly(): boolean {
  if (direct === undefined) {
    try {
      const stats = fstatSync(1);
      direct = process.platform !== 'win32' && (stats.isFIFO() || stats.isSocket() || stats.isFile());
    } catch {
      direct = false;
    }
  }
  return direct;
}

/** Writes text to stdout, whole, before returning (or hands the rest to process.stdout if it would block). */
export function writeStdout(text: string): void {
  if (stream || !writesDirectly()) {
    stdoutStream().write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(1, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: process.stdout queues the rest and writes it as it drains.
      if (code === 'EAGAIN') {
        stdoutStream().write(bytes.subarray(offset));
        return;
      }
      endOnBrokenPipe(error as NodeJS.ErrnoException);
    }
  }
}
