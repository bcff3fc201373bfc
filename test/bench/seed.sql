-- Benchmark data set for "list at scale" (test/bench/run.ts). Set-based: every table is filled by
-- one INSERT … SELECT over generate_series, never one statement per row.
-- Placeholders (replaced by run.ts): {{DOMAINS}} tenants × 2 PER_DOMAIN jobs = job rows,
-- {{EXECS}} executions per row, {{BIG_EVERY}}: every n-th execution has {{BIG_LINES}} log entries,
-- the others {{SMALL_LINES}}.
-- Defaults (full scale): 5,000 × 2 = 10,000 rows; × 100 = 1,000,000 executions;
-- 1,000 × 5,000 + 999,000 × 5 = 9,995,000 log entries.

SET session_replication_role = replica;  -- no FK trigger per inserted row (superuser of the embedded server)
SET maintenance_work_mem = '512MB';
-- The search index is built once after its chunks are in: far faster than one insert at a time.
DROP INDEX IF EXISTS log_search_body_trgm_idx;

INSERT INTO domains (name)
SELECT format('d%s.bench', lpad(i::text, 5, '0')) FROM generate_series(1, {{DOMAINS}}) i
ON CONFLICT DO NOTHING;

INSERT INTO job_rows (job_id, domain, kind, plan_kind)
SELECT j, format('d%s.bench', lpad(i::text, 5, '0')), 'PER_DOMAIN', 'DISABLED'
FROM generate_series(1, {{DOMAINS}}) i CROSS JOIN unnest(ARRAY['bench.tiny', 'domain.activity-report']) j
ON CONFLICT (job_id, domain) DO UPDATE SET plan_kind = 'DISABLED', next_run_at = NULL;

-- Oldest first, so ids grow with started_at as in real life. last_seq holds the log size.
INSERT INTO executions (row_id, job_id, domain, status, trigger, triggered_by, created_at, started_at, ended_at,
                        heartbeat_at, progress, last_seq, warning_count)
SELECT r.id, r.job_id, r.domain,
       (ARRAY['SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','SUCCESS','WARNING','FAILURE','CANCELLED','INTERRUPTED'])
         [1 + (hashint4((r.k * 1000 + n)::int) & 2147483647) % 10]::execution_status,
       CASE WHEN n % 7 = 0 THEN 'MANUAL' ELSE 'SCHEDULE' END::execution_trigger,
       CASE WHEN n % 7 = 0 THEN 'admin@example.com' END,
       ts, ts, ts + interval '2 seconds', ts + interval '2 seconds', 100,
       CASE WHEN (r.k * {{EXECS}} + n) % {{BIG_EVERY}} = 0 THEN {{BIG_LINES}} ELSE {{SMALL_LINES}} END,
       0
FROM (SELECT id, job_id, domain, row_number() OVER (ORDER BY job_id, domain) AS k
      FROM job_rows WHERE domain LIKE '%.bench') r
CROSS JOIN generate_series(1, {{EXECS}}) n
CROSS JOIN LATERAL (SELECT now() - ({{EXECS}} - n) * interval '1 hour' - r.k * interval '1 second' AS ts) t
ORDER BY n, r.k;

-- Two rows with 500 more runs (older): a row's statistics of its last 500 runs.
INSERT INTO executions (row_id, job_id, domain, status, trigger, created_at, started_at, ended_at, heartbeat_at, progress, last_seq, warning_count)
SELECT r.id, r.job_id, r.domain,
       (ARRAY['SUCCESS','SUCCESS','SUCCESS','WARNING','FAILURE'])[1 + n % 5]::execution_status, 'SCHEDULE',
       ts, ts, ts + (1 + n % 17) * interval '1 second', ts, 100, 0, 0
FROM job_rows r CROSS JOIN generate_series(1, 500) n
CROSS JOIN LATERAL (SELECT now() - ({{EXECS}} + 500 - n) * interval '1 hour' AS ts) t
WHERE r.domain = 'd00001.bench';

-- domain.activity-report rows every hour (the list server runs without a worker: nothing fires),
-- so the next 24 hours hold 24 occurrences of each: upcoming at scale.
UPDATE job_rows SET plan_kind = 'SCHEDULED', rule = '{"kind": "EVERY_HOURS", "every": 1, "timeZone": "UTC"}',
       next_run_at = date_trunc('hour', now()) + interval '1 hour'
WHERE job_id = 'domain.activity-report' AND domain LIKE '%.bench';

UPDATE job_rows r SET last_execution_id = m.id, last_status = e.status
FROM (SELECT row_id, max(id) AS id FROM executions WHERE domain LIKE '%.bench' GROUP BY row_id) m
JOIN executions e ON e.id = m.id
WHERE m.row_id = r.id;

INSERT INTO log_entries (execution_id, seq, at, level, message)
SELECT e.id, s, e.started_at + s * interval '1 ms',
       (CASE WHEN s % 50 = 0 THEN 'WARNING' ELSE 'INFO' END)::log_level,
       -- One line in 200,000 holds a rare word (searchLogs: rare and common words).
       CASE WHEN (e.id * 7919 + s) % 200000 = 0 THEN 'rare quokka sighted in line ' || s ELSE 'seeded line ' || s || ' of execution ' || e.id END
FROM executions e CROSS JOIN LATERAL generate_series(1, e.last_seq) s
WHERE e.domain LIKE '%.bench';

-- What the search indexer (jobs/search-indexer.ts) would have written: chunks of 100 lines.
INSERT INTO log_search (execution_id, first_seq, last_seq, body)
SELECT l.execution_id, min(l.seq), max(l.seq), string_agg(l.message, E'\n' ORDER BY l.seq)
FROM log_entries l JOIN executions e ON e.id = l.execution_id
WHERE e.domain LIKE '%.bench'
GROUP BY l.execution_id, (l.seq - 1) / 100;

UPDATE executions SET search_seq = last_seq WHERE domain LIKE '%.bench';

CREATE INDEX log_search_body_trgm_idx ON log_search USING gin (body gin_trgm_ops);

-- What the executions_counted triggers (off in replica mode) would have counted: the dashboard's hours.
-- Into shard 0 (migration 0019 splits each key over 16 shards; readers sum them).
INSERT INTO execution_hour_counts (hour, domain, status, shard, n)
SELECT date_trunc('hour', started_at), CASE WHEN domain = 'global' THEN domain ELSE '*' END, status, 0, count(*)
FROM executions WHERE domain LIKE '%.bench' AND status <> 'IN_PROGRESS'
GROUP BY 1, 2, 3
ON CONFLICT (domain, hour, status, shard) DO UPDATE SET n = execution_hour_counts.n + excluded.n;

SET session_replication_role = origin;
