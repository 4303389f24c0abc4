create table vibe_configs (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references user_profiles (id) on delete cascade,
  name text not null,
  settings jsonb not null default '{}'::jsonb
);
