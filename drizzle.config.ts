import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema/index.ts',
  out: './db/migrations',
  // agenda_jobs belongs to Agenda (@agendajs/postgres-backend creates it); drizzle-kit must never touch it.
  tablesFilter: ['!agenda_*'],
});
