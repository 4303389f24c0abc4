-- The Create flow: content rows point at objects in the content bucket
-- (SUPABASE_CONTENT_BUCKET). The bucket itself is created per environment.
create table public.content (
  id uuid primary key default gen_random_uuid(),
  creator uuid not null references auth.users,
  title text not null,
  image_path text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.content enable row level security;
create policy "creators manage their content" on public.content
  for all using (auth.uid() = creator) with check (auth.uid() = creator);
