// Every string of the console and of report emails, by language and namespace (messages/<locale>/<namespace>.json).
// The two languages must hold the same keys: test/unit/i18n.test.ts fails on a key missing in one of them.
import type { Locale } from './locale';

import en_common from '../../messages/en/common.json';
import en_shell from '../../messages/en/shell.json';
import en_login from '../../messages/en/login.json';
import en_account from '../../messages/en/account.json';
import en_apiExplorer from '../../messages/en/apiExplorer.json';
import en_audit from '../../messages/en/audit.json';
import en_domains from '../../messages/en/domains.json';
import en_jobs from '../../messages/en/jobs.json';
import en_jobWindow from '../../messages/en/jobWindow.json';
import en_logViewer from '../../messages/en/logViewer.json';
import en_mail from '../../messages/en/mail.json';
import en_tokens from '../../messages/en/tokens.json';
import en_users from '../../messages/en/users.json';
import en_plan from '../../messages/en/plan.json';
import en_email from '../../messages/en/email.json';
import en_dashboard from '../../messages/en/dashboard.json';
import en_upcoming from '../../messages/en/upcoming.json';
import en_search from '../../messages/en/search.json';
import en_resources from '../../messages/en/resources.json';
import en_workers from '../../messages/en/workers.json';
import en_scheduling from '../../messages/en/scheduling.json';
import en_alerts from '../../messages/en/alerts.json';
import en_channels from '../../messages/en/channels.json';
import fr_common from '../../messages/fr/common.json';
import fr_shell from '../../messages/fr/shell.json';
import fr_login from '../../messages/fr/login.json';
import fr_account from '../../messages/fr/account.json';
import fr_apiExplorer from '../../messages/fr/apiExplorer.json';
import fr_audit from '../../messages/fr/audit.json';
import fr_domains from '../../messages/fr/domains.json';
import fr_jobs from '../../messages/fr/jobs.json';
import fr_jobWindow from '../../messages/fr/jobWindow.json';
import fr_logViewer from '../../messages/fr/logViewer.json';
import fr_mail from '../../messages/fr/mail.json';
import fr_tokens from '../../messages/fr/tokens.json';
import fr_users from '../../messages/fr/users.json';
import fr_plan from '../../messages/fr/plan.json';
import fr_email from '../../messages/fr/email.json';
import fr_dashboard from '../../messages/fr/dashboard.json';
import fr_upcoming from '../../messages/fr/upcoming.json';
import fr_search from '../../messages/fr/search.json';
import fr_resources from '../../messages/fr/resources.json';
import fr_workers from '../../messages/fr/workers.json';
import fr_scheduling from '../../messages/fr/scheduling.json';
import fr_alerts from '../../messages/fr/alerts.json';
import fr_channels from '../../messages/fr/channels.json';

export const NAMESPACES = ['common', 'shell', 'login', 'account', 'apiExplorer', 'audit', 'domains', 'jobs', 'jobWindow', 'logViewer', 'mail', 'tokens', 'users', 'plan', 'email', 'dashboard', 'upcoming', 'search', 'resources', 'workers', 'scheduling', 'alerts', 'channels'] as const;
export type Namespace = (typeof NAMESPACES)[number];

export type Messages = Record<Namespace, Record<string, unknown>>;

export const MESSAGES: Record<Locale, Messages> = {
  en: { common: en_common, shell: en_shell, login: en_login, account: en_account, apiExplorer: en_apiExplorer, audit: en_audit, domains: en_domains, jobs: en_jobs, jobWindow: en_jobWindow, logViewer: en_logViewer, mail: en_mail, tokens: en_tokens, users: en_users, plan: en_plan, email: en_email, dashboard: en_dashboard, upcoming: en_upcoming, search: en_search, resources: en_resources, workers: en_workers, scheduling: en_scheduling, alerts: en_alerts, channels: en_channels },
  fr: { common: fr_common, shell: fr_shell, login: fr_login, account: fr_account, apiExplorer: fr_apiExplorer, audit: fr_audit, domains: fr_domains, jobs: fr_jobs, jobWindow: fr_jobWindow, logViewer: fr_logViewer, mail: fr_mail, tokens: fr_tokens, users: fr_users, plan: fr_plan, email: fr_email, dashboard: fr_dashboard, upcoming: fr_upcoming, search: fr_search, resources: fr_resources, workers: fr_workers, scheduling: fr_scheduling, alerts: fr_alerts, channels: fr_channels },
};
