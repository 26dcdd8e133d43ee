# The postbox-worker container: the worker bundled with esbuild, run by Node.js 24 on arm64.
# The bundle is plain JavaScript, so it is built on the build machine's own platform, and the
# arm64 stage only copies files: an x86 machine builds the image without arm64 emulation (QEMU).
FROM --platform=$BUILDPLATFORM node:24-slim AS build
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
