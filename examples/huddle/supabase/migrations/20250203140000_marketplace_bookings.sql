create table public.bookings (
  id bigint generated always as identity primary key,
  provider uuid not null references public.profiles,
  customer uuid not null references public.profiles,
  starts_at timestamptz not null,
  stripe_payment_intent text unique,
  status text not null default 'pending'
);
alter table public.bookings enable row level security;
