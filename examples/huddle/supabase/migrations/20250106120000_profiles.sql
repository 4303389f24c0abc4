-- Profiles, one per auth user.
create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  display_name text not null,
  tier text not null default 'free' check (tier in ('free', 'premium', 'gold', 'admin')),
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;
create policy "profiles are readable by their owner" on public.profiles
  for select using (auth.uid() = id);
