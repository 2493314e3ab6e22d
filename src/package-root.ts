import { existsSync } from 'node:fs';

/**
 * The project's folder: the nearest one above this module holding package.json. The same answer
 * from source (src/…) and from the build (dist/…, bundled into chunks).
 */
export function packageRoot(): URL {
  for (let dir = new URL('.', import.meta.url); ; dir = new URL('..', dir)) {
    if (existsSync(new URL('package.json', dir))) return dir;
    if (dir.pathname === '/') throw new Error(`no package.json above ${import.meta.url}`);
  }
}
