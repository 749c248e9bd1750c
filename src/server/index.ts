/** `ctxpress/server`: the REST API and OpenAI-compatible gateway of `ctxpress serve`, to embed. */
export { type BuildOptions, buildServer, type CtxpressServer } from "./app.js";
export type { CompressionBackend, ReadinessCheck } from "./backend.js";
export {
  type GatewayPolicy,
  isLoopbackHost,
  parseServeConfig,
  type ServeConfig,
  type ServeConfigInput,
  serveConfigSchema,
} from "./config.js";
export { type ErrorBody, HttpError } from "./errors.js";
export { type ServeLog, startServer } from "./start.js";
