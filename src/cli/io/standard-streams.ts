import { fstatSync, writeSync, type Stats } from 'node:fs';

/*
 * A command's result goes to stdout, and its messages to stderr, through here. Creating
 * process.stdout or process.stderr costs ~1.5 ms for a file or the null device and ~3 ms for a pipe
 * (it loads Node's net and stream modules): a large part of a ~40 ms `--help` or `create`, measured
 * with the benchmark's pipes. So a descriptor that takes plain write(2) calls gets them instead:
 *  - stdout: a pipe, socket or file. A terminal and the null device keep process.stdout.
 *  - stderr: also a terminal or the null device (character devices): messages are plain lines, and a
 *    POSIX terminal takes them as they are.
 * On Windows both keep the streams, which convert text for the console. Once a stream exists here
 * (batch streams its tokens and draws progress, a write would block), everything for that descriptor
 * goes through it, so output stays in order. The servers' logs write to process.stderr themselves; on
 * Linux it writes files, pipes and terminals synchronously, so their lines and these stay in order
 * there (on macOS a pipe is asynchronous: a log line still queued on a full pipe could come later).
 */

interface Channel {
  fd: 1 | 2;
  stream: NodeJS.WriteStream | undefined;
  direct: boolean | undefined;
  takesDirectWrites: (stats: Stats) => boolean;
  open: () => NodeJS.WriteStream;
  /** A write failed (EAGAIN aside): end, drop the text, or throw. */
  failed: (error: NodeJS.ErrnoException) => void;
}

// A reader that stops early (`qs-jwt … | head`) closes the pipe: that ends the command quietly, as in
// any Unix tool, instead of an unhandled EPIPE stack trace.
const STDOUT: Channel = {
  fd: 1,
  stream: undefined,
  direct: undefined,
  takesDirectWrites: (stats) => stats.isFIFO() || stats.isSocket() || stats.isFile(),
  open: () => process.stdout,
  failed: (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  },
};

// Messages that cannot be written (nobody reads them any more, a full disk, a terminal gone) are
// dropped: they must not stop the command before its result.
const STDERR: Channel = {
  fd: 2,
  stream: undefined,
  direct: undefined,
  takesDirectWrites: (stats) => stats.isFIFO() || stats.isSocket() || stats.isFile() || stats.isCharacterDevice(),
  open: () => process.stderr,
  failed: () => undefined,
};

function streamOf(channel: Channel): NodeJS.WriteStream {
  if (!channel.stream) {
    const stream = channel.open();
    stream.on('error', channel.failed);
    channel.stream = stream;
  }
  return channel.stream;
}

function writesDirectly(channel: Channel): boolean {
  if (channel.direct === undefined) {
    try {
      channel.direct = process.platform !== 'win32' && channel.takesDirectWrites(fstatSync(channel.fd));
    } catch {
      channel.direct = false;
    }
  }
  return channel.direct;
}

/** Writes text whole before returning (or hands the rest to the stream if the descriptor would block). */
function write(channel: Channel, text: string): void {
  if (channel.stream || !writesDirectly(channel)) {
    streamOf(channel).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(channel.fd, bytes, offset);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // A non-blocking pipe that is full: the stream queues the rest and writes it as it drains.
      if (code === 'EAGAIN') {
        streamOf(channel).write(bytes.subarray(offset));
        return;
      }
      channel.failed(error as NodeJS.ErrnoException);
      return;
    }
  }
}

/** process.stdout, for output that streams (batch) or asks about the terminal; created on first use. */
export function stdoutStream(): NodeJS.WriteStream {
  return streamOf(STDOUT);
}

/** process.stderr, for a display redrawn on a terminal (batch's progress); created on first use. */
export function stderrStream(): NodeJS.WriteStream {
  return streamOf(STDERR);
}

/** Writes a command's result to stdout. */
export function writeStdout(text: string): void {
  write(STDOUT, text);
}

/** Writes a message (note, warning, error) to stderr. */
export function writeStderr(text: string): void {
  write(STDERR, text);
}

/**
 * Whether stderr may be someone watching, for extras shown only then (create's summary). Without
 * creating process.stderr: on POSIX a character device, that is a terminal or the null device (where a
 * summary costs nothing); on Windows the stream's isTTY.
 */
export function stderrMayBeTerminal(): boolean {
  if (process.platform === 'win32') return streamOf(STDERR).isTTY === true;
  try {
    return fstatSync(2).isCharacterDevice();
  } catch {
    return false;
  }
}
