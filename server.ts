/**
 * The one process entry point: web (Next.js console + GraphQL over HTTP and WebSocket) and/or
 * worker (Agenda), as ROLE says. Drains and exits on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig } from './lib/config';
import { startJobdeck } from './lib/app';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const started = Date.now();
  const starting = startJobdeck(config);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (drain up to ${config.DRAIN_TIMEOUT_SECONDS} s)…`);
    const hard = setTimeout(() => {
      console.error('Forced exit: shutdown took too long.');
      process.exit(1);
    }, (config.DRAIN_TIMEOUT_SECONDS + 20) * 1000);
    hard.unref();
    // A start that failed has closed what it opened; main() reports it.
    const app = await starting.catch(() => undefined);
    if (!app) return;
    await app.close();
    console.log('Stopped.');
    process.exit(0);
  };
  // Listening from the first moment: the embedded PostgreSQL runs in its own process group, so a
  // Ctrl-C during start-up that killed this process would leave it running.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  const app = await starting;
  if (stopping) return;
  if (app.port) console.log(`Jobdeck (${config.ROLE}) listening on http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${app.port} — ready in ${Date.now() - started} ms`);
  else console.log(`Jobdeck (${config.ROLE}) running — ready in ${Date.now() - started} ms`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
