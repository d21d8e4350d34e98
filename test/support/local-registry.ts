import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface LockEntry {
  version: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

/** Where npm's cache keeps a tarball with this integrity (cacache: content-v2/<algorithm>/<hex path>). */
function cachedTarball(cache: string, integrity: string): string {
  const [algorithm, digest] = integrity.split(' ')[0]?.split('-', 2) ?? [];
  const hex = Buffer.from(digest ?? '', 'base64').toString('hex');
  return join(cache, '_cacache', 'content-v2', algorithm ?? '', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/**
 * A registry on 127.0.0.1 serving the project's runtime dependencies at their locked versions, from
 * the tarballs `npm ci` left in npm's cache: installing the packed qs-jwt then needs no network. (npm's
 * --offline alone fails: `npm ci` caches tarballs but not the registry documents that resolve
 * version ranges.)
 */
export async function startLocalRegistry(lockFile: string): Promise<{ url: string; close: () => Promise<void> }> {
  const cache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const lock = JSON.parse(readFileSync(lockFile, 'utf8')) as { packages: Record<string, LockEntry> };
  const packuments = new Map<string, Map<string, LockEntry>>();
  const tarballs = new Map<string, string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || entry.dev || entry.link || !entry.integrity) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    const versions = packuments.get(name) ?? new Map<string, LockEntry>();
    versions.set(entry.version, entry);
    packuments.set(name, versions);
    tarballs.set(Buffer.from(entry.integrity).toString('base64url'), cachedTarball(cache, entry.integrity));
  }
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://registry').pathname).slice(1);
    const tarball = path.startsWith('-/tarball/') ? tarballs.get(path.slice('-/tarball/'.length)) : undefined;
    if (tarball && existsSync(tarball)) {
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(tarball));
      return;
    }
    const versions = packuments.get(path);
    if (!versions) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const origin = `http://${request.headers.host ?? '127.0.0.1'}`;
    const body = {
      name: path,
      'dist-tags': { latest: [...versions.keys()].at(-1) },
      versions: Object.fromEntries(
        [...versions].map(([version, entry]) => [
          version,
          {
            name: path,
            version,
            dependencies: entry.dependencies,
            optionalDependencies: entry.optionalDependencies,
            peerDependencies: entry.peerDependencies,
            peerDependenciesMeta: entry.peerDependenciesMeta,
            bin: entry.bin,
            engines: entry.engines,
            dist: {
              integrity: entry.integrity,
              tarball: `${origin}/-/tarball/${Buffer.from(entry.integrity as string).toString('base64url')}`,
            },
          },
        ]),
      ),
    };
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
