create table public.campaigns (
  id uuid primary key default gen_random_uuid(),
  advertiser uuid not null references auth.users,
  title text not null,
  budget_cents bigint not null check (budget_cents >= 0),
  created_at timestamptz not null default now()
);
alter table public.campaigns enable row level security;
