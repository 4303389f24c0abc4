alter table user_template_customizations add column version integer not null default 1;
alter table user_template_customizations add column updated_at timestamptz not null default now();
