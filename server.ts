/**
 * The one process entry point: web (Next.js console + GraphQL over HTTP and WebSocket) and/or
 * worker (Agenda), as ROLE says. Drains and exits on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './lib/config';
import { startJobdeck } from './lib/app';
import { createLogger } from './lib/logger';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      createLogger({ format: process.env.LOG_FORMAT === 'json' ? 'json' : 'text', fd: 2 }).fatal(e.message);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger({ format: config.LOG_FORMAT, level: config.LOG_LEVEL });
  const started = Date.now();
  const starting = startJobdeck(config, { logger });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, `${signal}: stopping (drain up to ${config.DRAIN_TIMEOUT_SECONDS} s)…`);
    const hard = setTimeout(() => {
      logger.error('Forced exit: shutdown took too long.');
      process.exit(1);
    }, (config.DRAIN_TIMEOUT_SECONDS + 20) * 1000);
    hard.unref();
    // A start that failed has closed what it opened; main() reports it.
    const app = await starting.catch(() => undefined);
    if (!app) return;
    await app.close();
    logger.info('Stopped.');
    process.exit(0);
  };
  // Listening from the first moment: the embedded PostgreSQL runs in its own process group, so a
  // Ctrl-C during start-up that killed this process would leave it running.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const app = await starting;
  if (stopping) return;
  if (app.port) logger.info({ port: app.port, role: config.ROLE, readyMs: Date.now() - started }, `Jobdeck (${config.ROLE}) listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${app.port} — ready in ${Date.now() - started} ms`);
  else logger.info({ role: config.ROLE, readyMs: Date.now() - started }, `Jobdeck (${config.ROLE}) running — ready in ${Date.now() - started} ms`);
}

main().catch((e) => {
  // Before the configuration is known (or when start failed) the format comes from the environment as it is.
  createLogger({ format: process.env.LOG_FORMAT === 'json' ? 'json' : 'text', fd: 2 }).fatal(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
