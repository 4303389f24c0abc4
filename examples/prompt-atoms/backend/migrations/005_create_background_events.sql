create table background_events (
  id bigint generated always as identity primary key,
  run_id uuid references agent_runs (id) on delete cascade,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
