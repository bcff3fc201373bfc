import type { JobDefinition } from '../types';
import activityReport from './activity-report';
import dbMaintenance from './db-maintenance';
import expiredCredentials from './expired-credentials';
import retention from './retention';
import selfTest from './self-test';

/** The jobs Jobdeck ships and needs itself; loadCatalog adds JOBS_FILE's command jobs after them. */
export const builtinJobs: JobDefinition[] = [retention, expiredCredentials, dbMaintenance, selfTest, activityReport];

export { activityReport, dbMaintenance, expiredCredentials, retention, selfTest };
