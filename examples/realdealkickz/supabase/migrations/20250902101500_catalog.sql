create table public.products (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique,
  name text not null,
  brand text not null,
  price_cents integer not null check (price_cents > 0),
  published boolean not null default false,
  created_at timestamptz not null default now()
);
alter table public.products enable row level security;
create policy "published products are public" on public.products
  for select using (published);
