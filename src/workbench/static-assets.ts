import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The front end: one HTML page, one script and one stylesheet, built by build-cli.mjs into one folder
 * (dist/cli-bundle/workbench). They are read once at start, so serving them costs no file I/O and a
 * single-file build can hand them over from one place.
 */
export interface StaticAsset {
  body: Buffer;
  contentType: string;
}

export const ASSET_FILES: Readonly<Record<string, string>> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

function assetsFrom(read: (file: string) => Buffer): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [path, file] of Object.entries(ASSET_FILES)) {
    const extension = file.slice(file.lastIndexOf('.') + 1);
    assets.set(path, { body: read(file), contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream' });
  }
  return assets;
}

export function loadAssets(folder: string): ReadonlyMap<string, StaticAsset> {
  return assetsFrom((file) => readFileSync(join(folder, file)));
}

/**
 * In a single-file executable the page is stored as SEA assets named `workbench/<file>`
 * (build-binaries.mjs); undefined when not running as one (or on a Node without node:sea).
 */
export function loadSeaAssets(): ReadonlyMap<string, StaticAsset> | undefined {
  let sea: { isSea(): boolean; getAsset(name: string): ArrayBuffer };
  try {
    // require, not import(): a binary runs its command bundles as vm scripts, where import() fails.
    sea = createRequire(import.meta.url)('node:sea') as typeof sea;
  } catch {
    return undefined;
  }
  if (!sea.isSea()) return undefined;
  return assetsFrom((file) => Buffer.from(sea.getAsset(`workbench/${file}`)));
}
