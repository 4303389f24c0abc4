create table prompt_atoms (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references user_profiles (id) on delete cascade,
  kind text not null,
  body text not null,
  created_at timestamptz not null default now()
);
