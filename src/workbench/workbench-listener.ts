import { createServer, type Server, type Socket } from 'node:net';
import { hostForUrl, listen } from '../net/server-listening.js';
import { newRunSecret, SECRET_PARAMETER, type RunSecret } from './run-secret.js';

/**
 * The workbench's listening socket and this run's secret: all `qs-jwt ui` needs before it prints its
 * URL. It is a plain node:net server, because node:http alone costs ~3 ms of a ~60 ms start; the HTTP
 * server (workbench-server.ts, loaded after the URL is printed) takes the socket over with
 * `http.Server#listen(handle)`. A browser that connects before that is kept waiting, not lost: its
 * connection is held here and handed to the HTTP server.
 */
export interface WorkbenchListener {
  /** Listening; what it accepts waits, paused, in `early` until the HTTP server takes over. */
  server: Server;
  host: string;
  port: number;
  /** http://host:port, the host in brackets for IPv6. */
  origin: string;
  /** The URL to open: the origin with this run's URL secret. */
  url: string;
  secret: RunSecret;
  /** Connections accepted before the HTTP server took over; it takes these too. */
  early: Socket[];
}

export async function listenForWorkbench(host: string, port: number): Promise<WorkbenchListener> {
  // noDelay as http.Server sets it on the sockets it accepts itself.
  const server = createServer({ pauseOnConnect: true, noDelay: true });
  const early: Socket[] = [];
  server.on('connection', (socket: Socket) => early.push(socket));
  const bound = await listen(server, port, host);
  const secret = newRunSecret(bound);
  const origin = `http://${hostForUrl(host)}:${bound}`;
  return {
    server,
    host,
    port: bound,
    origin,
    url: `${origin}/?${SECRET_PARAMETER}=${secret.urlSecret}`,
    secret,
    early,
  };
}

/** Stops listening and drops held connections, when the HTTP server will never take over (an error). */
export function closeUnserved(listener: WorkbenchListener): void {
  listener.server.close();
  for (const socket of listener.early.splice(0)) socket.destroy();
}
