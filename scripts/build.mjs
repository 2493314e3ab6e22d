// `npm run build` (run by `npm install`): compiles the TypeScript to dist/ with esbuild and bundles
// the workflow code ahead of time.
// - dist/src/cli/main.js (the `talon` command) and dist/scripts/provision-temporal.js, bundled with
//   code splitting: each command and each actionner implementation is a chunk loaded on first use,
//   so `talon version` reads a handful of files instead of thousands of modules. Packages with
//   native parts or heavy SDKs stay in node_modules and load only where a role needs them.
// - dist/workflow-bundle.js: the workflow code as Temporal's bundler makes it, so a worker starts
//   without running webpack.
// Type checking is `npm run typecheck` (tsc --noEmit); esbuild only strips types.
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * zod re-exports its ~50 message locales as `z.locales`; the CLI uses English only, and parsing
 * the other 49 costs a third of `talon rules check`'s start-up. Only zod's own `locales/index.js`
 * is replaced, by English alone.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'zod-english-only' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: `export { default as en } from ${JSON.stringify(`${root}node_modules/zod/v4/locales/en.js`)};`,
      loader: 'js',
      resolveDir: root,
    }));
  },
};
const dist = `${root}dist`;
rmSync(dist, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts', 'scripts/provision-temporal.ts'],
  outdir: 'dist',
  outbase: '.',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [zodEnglishOnly],
  external: [
    '@temporalio/*',
    '@kubernetes/client-node',
    '@aws-sdk/*',
    '@google-cloud/*',
    'google-auth-library',
    'nodemailer',
    'pino',
    'pino-pretty',
    'prom-client',
  ],
  // Bundled CommonJS packages call require() for Node's built-ins.
  banner: { js: "import { createRequire as __talonCreateRequire } from 'node:module'; const require = __talonCreateRequire(import.meta.url);" },
});

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
// Two bundles: without and with the OpenTelemetry workflow interceptors (src/worker/bundle.ts says
// why the worker loads the traced one only when tracing).
const interceptors = [createRequire(import.meta.url).resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')];
const [plain, traced] = await Promise.all(
  [[], interceptors].map((modules) => bundleWorkflowCode({ workflowsPath: `${root}workflows/index.ts`, workflowInterceptorModules: modules, logger: quiet })),
);
writeFileSync(`${dist}/workflow-bundle.js`, plain.code);
writeFileSync(`${dist}/workflow-bundle-traced.js`, traced.code);
console.log(`talon: built dist/ (workflow bundles ${Math.round(plain.code.length / 1024)} KiB, traced ${Math.round(traced.code.length / 1024)} KiB)`);
