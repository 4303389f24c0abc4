create table public.bookings (id bigint generated always as identity primary key, owner uuid not null references public.profiles);
alter table public.bookings enable row level security;
