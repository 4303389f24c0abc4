create table orgs (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  stripe_customer_id text unique,
  created_at timestamptz not null default now()
);
create table org_members (
  org_id uuid not null references orgs (id) on delete cascade,
  user_id uuid not null references user_profiles (id) on delete cascade,
  role text not null default 'member',
  primary key (org_id, user_id)
);
create table subscriptions (
  id text primary key,                -- Stripe subscription id
  org_id uuid not null references orgs (id) on delete cascade,
  status text not null,               -- customer.subscription.updated / .deleted
  current_period_end timestamptz not null
);
alter table orgs enable row level security;
alter table org_members enable row level security;
alter table subscriptions enable row level security;
