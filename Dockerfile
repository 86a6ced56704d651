# syntax=docker/dockerfile:1

# ---- build: the JavaScript, the web app and the embedded database template, with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `prepare` builds; here it waits until the sources are in.
RUN npm ci --ignore-scripts
COPY scripts/build.mjs scripts/build-template.mjs ./scripts/
COPY src ./src
COPY web ./web
COPY migrations ./migrations
RUN npm run build

# ---- runtime: production dependencies and the compiled output only ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production DATA_DIR=/data
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY migrations ./migrations
# The gRPC contracts are read at run time (and served by reflection).
COPY proto ./proto
# The embedded database, the generated sandbox signing key, mail and uploads live under
# DATA_DIR: owner-only, or live mode refuses to start (a new volume copies this mode).
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
EXPOSE 8080 50051
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# `docker run mamlaka` is the all-in-one server; `docker run mamlaka serve gateway` one part.
ENTRYPOINT ["node", "bin/mamlaka.js"]
CMD ["start"]
