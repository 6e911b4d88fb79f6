-- bench/period-seed.ts, last step: organization 7 and its agent ext-7 get RFC 4122 ids (the md5-derived
-- ids of bench/results-data.ts are not valid UUID versions, and the user schema validates them), so the
-- bench can sign in to that kundcenter and as that agent through the app's own routes.
SET session_replication_role = replica;
DO $$
DECLARE t text; old_org uuid := md5('org' || 7)::uuid; new_org uuid := '7e5b0000-0000-4000-8000-000000000007';
        old_agent uuid := md5('agt' || 7)::uuid; new_agent uuid := '7e5b0000-0000-4000-8000-0000000a0007';
BEGIN
  FOR t IN SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'organizationId' LOOP
    EXECUTE format('UPDATE %I SET "organizationId" = $1 WHERE "organizationId" = $2', t) USING new_org, old_org;
  END LOOP;
  FOR t IN SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'agentId' LOOP
    EXECUTE format('UPDATE %I SET "agentId" = $1 WHERE "agentId" = $2', t) USING new_agent, old_agent;
  END LOOP;
  UPDATE "Organization" SET id = new_org WHERE id = old_org;
  UPDATE "Agent" SET id = new_agent WHERE id = old_agent;
END $$;
