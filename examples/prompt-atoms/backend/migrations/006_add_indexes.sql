create index prompt_atoms_owner_idx on prompt_atoms (owner_id);
create index agent_runs_owner_status_idx on agent_runs (owner_id, status);
create index background_events_run_idx on background_events (run_id, created_at);
