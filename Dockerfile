# The postbox-worker container: the worker bundled with esbuild, run by Node.js 22 on arm64.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY lib ./lib
RUN npx esbuild bin/postbox-worker.ts --bundle --platform=node --format=esm --target=node22 --minify --sourcemap \
      --outfile=dist/postbox-worker.mjs \
      --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

FROM node:22-slim
WORKDIR /app
ENV NODE_ENV=production NODE_OPTIONS=--enable-source-maps
COPY --from=build /app/dist ./
USER node
EXPOSE 8080
CMD ["node", "postbox-worker.mjs", "--health-port", "8080"]
