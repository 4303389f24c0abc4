create table user_profiles (
  id uuid primary key references auth.users on delete cascade,
  display_name text,
  plan text not null default 'free',
  created_at timestamptz not null default now()
);
