import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * What every server of the CLI (emulator, QRS, workbench, bridge) does the same way to start and stop
 * listening; each keeps its own meaning of the errors (EADDRINUSE: choose another --port …).
 */

/** Listens, and resolves with the port actually bound (0 asks for a free one); a listen error rejects. */
export function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** An IPv6 address goes into a URL in brackets (`http://[::1]:8080`). */
export function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** The sockets a server has open, kept current, so a shutdown can end those left after its grace period. */
export function trackConnections(server: Server): ReadonlySet<Socket> {
  const connections = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  return connections;
}
