# The talon image: one image, several roles (`serve`, `worker`, `start`). Multi-stage: the build
# stage compiles TypeScript and bundles the workflows; the runtime stage holds production
# dependencies and dist/ only, and runs as a non-root user.
# The base is pinned by digest (the tag is for people): refresh both with scripts/pin-base-image.sh.
ARG NODE_IMAGE=node:20.19-bookworm-slim@sha256:f679d7699517426eb148a5698c717477fd3f8a48f6c1eaf771e390a9bb8268c8
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No lifecycle scripts: they would provision the Temporal CLI, which serve/worker do not need.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY scripts ./scripts
RUN npm run build

FROM ${NODE_IMAGE}
WORKDIR /app
# Two glibc malloc arenas instead of 8 per core: the Rust core's threads otherwise each grow their
# own, and a worker's RSS after 1,000 alerts is 330-410 MB instead of 280 (docs/operating.md).
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY playbooks ./playbooks
# `node` (uid 1000) comes with the base image; nothing under /app is writable by it.
USER node
# 2803: the ingest (serve, start); 2804: a worker's /healthz and /metrics.
EXPOSE 2803 2804
# V8's young generation at 8 MB semi-spaces instead of 16: talon start's RSS after 1,000 alerts
# 292-363 -> 275-304 MB, throughput the same (docs/operating.md).
ENTRYPOINT ["node", "--max-semi-space-size=8", "bin/talon.js"]
CMD ["serve"]
