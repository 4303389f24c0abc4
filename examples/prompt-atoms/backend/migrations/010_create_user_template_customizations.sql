-- There is no 009: the runbook's list goes from 008 to 010.
create table user_template_customizations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references user_profiles (id) on delete cascade,
  template_key text not null,
  overrides jsonb not null default '{}'::jsonb,
  unique (user_id, template_key)
);
