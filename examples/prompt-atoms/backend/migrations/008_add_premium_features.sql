alter table user_profiles add column premium_until timestamptz;
alter table vibe_configs add column is_premium boolean not null default false;
