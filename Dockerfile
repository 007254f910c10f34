# layerlens as a container image. Run it with the Docker socket mounted:
#   docker run --rm -it -v /var/run/docker.sock:/var/run/docker.sock layerlens myapp:prod
# or give it an archive through a mounted directory or stdin:
#   docker save myapp:prod | docker run --rm -i layerlens
# BASE is any image with Node 20+ and npm (the official one by default; the tests build from a local one).
ARG BASE=node:20-bookworm-slim

FROM ${BASE} AS builder
WORKDIR /build
# .npm-cache/ in the context, if there (hence the pattern), is an npm cache filled elsewhere for a build with no
# registry at hand, as in the tests: its _cacache lands here and npm ci installs from it offline.
COPY package.json package-lock.json .npm-cach[e] ./
# No install scripts: they only build optional native addons (ssh2 and cpu-features, both with a JavaScript
# fallback) and check esbuild, whose binary comes in its platform package all the same (the build bundles ink).
RUN if [ -d _cacache ]; then offline="--offline --cache ."; fi \
	&& npm ci $offline --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY source ./source
COPY packaging/bundle-ink.ts ./packaging/
# Type declarations are never loaded at run time, yet production keeps two: protobufjs (under dockerode) lists
# @types/node as a dependency, and @types/react stays as Ink's optional peer.
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund && rm -rf node_modules/@types

FROM ${BASE}
WORKDIR /opt/layerlens
COPY --from=builder /build/package.json ./
COPY --from=builder /build/node_modules ./node_modules
COPY --from=builder /build/dist ./dist
COPY LICENSE ./
ENV NODE_ENV=production
ENTRYPOINT ["node", "/opt/layerlens/dist/cli.js"]
