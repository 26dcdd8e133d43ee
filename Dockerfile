# The postbox-worker container: the worker bundled with esbuild, run by Node.js 24 on arm64.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/bundle-worker.mjs ./scripts/
COPY bin ./bin
COPY lib ./lib
RUN node scripts/bundle-worker.mjs dist

FROM node:24-slim
WORKDIR /app
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
COPY --from=build /app/dist ./
USER node
EXPOSE 8080
CMD ["node", "postbox-worker.mjs", "--health-port", "8080"]
