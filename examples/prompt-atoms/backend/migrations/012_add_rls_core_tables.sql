-- Critical for security (runbook 002): without these policies the anon key
-- can read every user's data.
alter table user_profiles enable row level security;
alter table prompt_atoms enable row level security;
alter table vibe_configs enable row level security;
alter table agent_runs enable row level security;
alter table background_events enable row level security;
alter table user_template_customizations enable row level security;

create policy "own profile" on user_profiles for all using (auth.uid() = id);
create policy "own atoms" on prompt_atoms for all using (auth.uid() = owner_id);
create policy "own vibes" on vibe_configs for all using (auth.uid() = owner_id);
create policy "own runs" on agent_runs for all using (auth.uid() = owner_id);
create policy "own templates" on user_template_customizations for all using (auth.uid() = user_id);
