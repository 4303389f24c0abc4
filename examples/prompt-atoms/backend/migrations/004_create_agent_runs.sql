create table agent_runs (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references user_profiles (id) on delete cascade,
  vibe_config_id uuid references vibe_configs (id) on delete set null,
  status text not null default 'queued',
  started_at timestamptz,
  finished_at timestamptz
);
