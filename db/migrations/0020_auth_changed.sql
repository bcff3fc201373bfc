-- Web processes keep a credential's lookup for a few seconds (services/credential-cache.ts). Any
-- change that can end or narrow a credential tells every process at once, on commit: a session
-- ended or shortened, a token revoked or expired, a user disabled, deleted or given another role,
-- domain set, email or password. One notification per statement; touches (last_seen_at,
-- last_used_at, last_sign_in_at) and new credentials tell nobody.
CREATE OR REPLACE FUNCTION jobdeck_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('jobdeck_auth', '');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER sessions_auth_changed AFTER DELETE OR UPDATE OF expires_at, user_id, token_hash ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
-- A session's idle clock put back (never by Jobdeck itself, whose touches move it forward).
CREATE TRIGGER sessions_auth_idled AFTER UPDATE OF last_seen_at ON sessions
  FOR EACH ROW WHEN (NEW.last_seen_at < OLD.last_seen_at) EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER sessions_auth_truncated AFTER TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER api_tokens_auth_changed AFTER DELETE OR UPDATE OF revoked_at, expires_at, user_id, token_hash ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER api_tokens_auth_truncated AFTER TRUNCATE ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER users_auth_changed AFTER DELETE OR UPDATE OF id, email, role, all_domains, disabled, password_hash ON users
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER users_auth_truncated AFTER TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER user_domains_auth_changed AFTER INSERT OR UPDATE OR DELETE ON user_domains
  FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
--> statement-breakpoint
CREATE TRIGGER user_domains_auth_truncated AFTER TRUNCATE ON user_domains FOR EACH STATEMENT EXECUTE FUNCTION jobdeck_auth_changed();
