alter table agent_runs
  add constraint agent_runs_status_check check (status in ('queued', 'running', 'succeeded', 'failed'));
alter table user_profiles
  add constraint user_profiles_plan_check check (plan in ('free', 'pro', 'team'));
