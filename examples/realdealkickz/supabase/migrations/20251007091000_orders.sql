create table public.orders (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users,
  stripe_checkout_session text not null unique,
  status text not null default 'pending' check (status in ('pending', 'paid', 'refunded', 'cancelled')),
  total_cents integer not null,
  created_at timestamptz not null default now()
);
alter table public.orders enable row level security;
-- runbook §10: "Users cannot read others' orders".
create policy "users read their own orders" on public.orders
  for select using (auth.uid() = user_id);
