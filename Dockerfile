# Multi-stage build: compile TypeScript with dev dependencies, ship only production ones.
# Node 24: the current LTS line (package.json's engines accept >= 20.10).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --chown=node:node package.json ./
COPY --chown=node:node migrations ./migrations
# The CLI (doctor, status, reconcile...): kubectl exec deploy/entra-sync -- node bin/entra-sync.js doctor
COPY --chown=node:node bin ./bin
# "node" is uid 1000; Kubernetes' runAsNonRoot can only verify a numeric user.
USER 1000:1000
EXPOSE 3000
# Liveness for plain Docker; orchestrators use /healthz and /readyz directly.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# The heap cap is also what makes V8 size its heap to the live set (see README, "Memory").
CMD ["node", "--max-old-space-size=384", "dist/src/main.js"]
