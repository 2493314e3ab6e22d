# The talon image: one image, several roles (`serve`, `worker`, `start`).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# The Temporal CLI is only needed by `talon start` (embedded server); serve/worker connect to a
# cluster, so skip its provisioning here.
RUN npm ci --omit=dev --ignore-scripts
COPY . .
EXPOSE 2803
ENTRYPOINT ["node", "bin/talon.js"]
CMD ["serve"]
