# syntax=docker/dockerfile:1
# wecom-oidc-bridge: multi-stage build on Node 24 LTS (slim), non-root, with an init process.
# test/ops/docker-build.test.ts runs this file's build and start commands outside Docker, and
# test/ops/dockerfile-lint.test.ts lints it; keep both green when you change it.
# For reproducible builds, pin the base image by digest in your registry (node:24-slim@sha256:…).

FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the npm `node` dev dependency (Node 24 for bare machines) is not needed in an
# image that already is Node 24, and the TypeScript compiler needs no install script.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY sim ./sim
COPY demo ./demo
RUN npx tsc -p tsconfig.build.json
# The NocoBase plugin of the same commit, so that an image is all an installation needs: docs/nocobase.md
# step 2 copies it out. Its build falls back to the NocoBase versions recorded in its package.json.
COPY nocobase-plugin ./nocobase-plugin
RUN npm run build:nocobase-plugin

FROM node:24-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# MALLOC_ARENA_MAX: one glibc malloc arena instead of one per signing thread (8-15 MB less
# resident memory at steady load; see "Memory settings" in bench/README.md).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data MALLOC_ARENA_MAX=1
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only; none of them needs an install script. The npm cache stays in the
# build cache mount, out of the image.
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
# The service only (the simulator and the demo need development dependencies).
COPY --from=build /app/dist/src ./dist/src
# Not used by the bridge: <name>-<version>.tgz, for NocoBase (docs/nocobase.md, step 2).
COPY --from=build /app/dist/nocobase-plugin /opt/wecom-oidc-bridge/nocobase-plugin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "dist/src/healthcheck.js"]
LABEL org.opencontainers.image.title="wecom-oidc-bridge" \
      org.opencontainers.image.description="Sign in to NocoBase or any OpenID Connect relying party with WeCom" \
      org.opencontainers.image.licenses="MIT"
# tini as PID 1 forwards signals and reaps zombies; node runs directly (not through npm) so that
# SIGTERM reaches the bridge's graceful shutdown. Memory flags as in `npm start` (see
# bench/README.md): a bounded young generation (V8 otherwise sizes it from the host's memory, up
# to 64 MB per semi-space) and an old generation that grows by half, not up to fourfold, between
# full collections.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--max-semi-space-size=4", "--heap-growing-percent=30", "dist/src/main.js"]
