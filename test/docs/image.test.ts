import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TALON_NODE_FLAGS } from '../../bench/processes.ts';

// What can be checked of the image and the compose files without a Docker engine (none here).

describe('the image and compose files', () => {
  it('build from a base pinned by digest, in two stages, and run as a non-root user', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? '';
    expect(base).toMatch(/^node:[\w.-]+@sha256:[0-9a-f]{64}$/);
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toContain('COPY --from=build /app/dist ./dist');
    expect(runtime).not.toMatch(/COPY (test|\.git|src)\b/);
  });

  it('bound glibc malloc arenas and the V8 young generation, in the image and in `npm start` (arenas: unless the user set their own)', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(runtime).toMatch(/^ENV .*\bMALLOC_ARENA_MAX=2\b/m);
    expect(runtime).toContain(`ENTRYPOINT ["node", "${TALON_NODE_FLAGS}", "bin/talon.js"]`);
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2} node ${TALON_NODE_FLAGS} bin/talon.js start`);
    // The bench's latency phases run talon's worker in the bench's own process, as `talon start` runs it.
    expect(scripts.bench).toBe(`NODE_OPTIONS="${TALON_NODE_FLAGS} \${NODE_OPTIONS:-}" tsx bench/run.ts`);
  });

  it.each(['docker-compose.yml', 'docker-compose.dev.yml'])('%s pins every image and runs the talon services (built from the Dockerfile) read-only', (file) => {
    const compose = parse(readFileSync(file, 'utf8')) as { services: Record<string, { image?: string; build?: unknown; read_only?: boolean }> };
    const built = Object.values(compose.services).filter((s) => s.build !== undefined);
    expect(built.length).toBeGreaterThan(0);
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) expect(service.image, name).toMatch(/:[\w.-]*\d[\w.-]*(@sha256:[0-9a-f]{64})?$/);
      if (service.build !== undefined) expect(service.read_only, name).toBe(true);
    }
  });
});
