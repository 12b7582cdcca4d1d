# pforte: multi-stage image on Node 24 (see README "Docker").

# Build stage: install everything, compile TypeScript (src/, migrations/, bench/ -> dist/),
# then drop the dev dependencies so node_modules can be copied as it is.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime stage: production mode, non-root. pforte finds its root by package.json and reads
# views/ and public/ from there; the migrations run from dist/migrations at every start.
FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
COPY bin ./bin
# Writable only for a non-production run without DATABASE_URL or secrets (embedded
# database and generated dev secrets under DATA_DIR=.data); production writes nothing here.
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
# Liveness of the process (readiness, with Postgres and Redis, is /readyz); no curl in the image.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself, for the graceful shutdown.
CMD ["node", "dist/src/main.js"]
