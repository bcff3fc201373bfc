-- Every run that ends adds to its hour's count in the transaction that ends it: with one row per
-- (domain, hour, status), all workers' final writes queued on that row until each holder committed
-- (85 ms per finish at 80 runs at once). Each key is now split over 16 rows, picked by the writing
-- backend's pid; readers sum them as before. Counts from before this migration stay in shard 0.
ALTER TABLE "execution_hour_counts" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "execution_hour_counts" DROP CONSTRAINT "execution_hour_counts_domain_hour_status_pk";--> statement-breakpoint
ALTER TABLE "execution_hour_counts" ADD CONSTRAINT "execution_hour_counts_domain_hour_status_shard_pk" PRIMARY KEY("domain","hour","status","shard");--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_count_execution(h timestamptz, d text, s execution_status, delta int) RETURNS void LANGUAGE sql AS $$
  INSERT INTO execution_hour_counts (hour, domain, status, shard, n)
  VALUES (date_trunc('hour', h), CASE WHEN d = 'global' THEN d ELSE '*' END, s, pg_backend_pid() % 16, delta)
  ON CONFLICT (domain, hour, status, shard) DO UPDATE SET n = execution_hour_counts.n + excluded.n
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION jobdeck_executions_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO execution_hour_counts (hour, domain, status, shard, n)
  SELECT date_trunc('hour', g.started_at), CASE WHEN g.domain = 'global' THEN g.domain ELSE '*' END, g.status, pg_backend_pid() % 16, -count(*)
  FROM gone g
  WHERE g.status <> 'IN_PROGRESS'
  GROUP BY 1, 2, 3
  ON CONFLICT (domain, hour, status, shard) DO UPDATE SET n = execution_hour_counts.n + excluded.n;
  RETURN NULL;
END $$;
