create table public.profiles (id uuid primary key references auth.users on delete cascade, display_name text);
alter table public.profiles enable row level security;
