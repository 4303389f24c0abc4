create table public.hazard_reports (
  id bigint generated always as identity primary key,
  reporter uuid not null references public.profiles,
  location geography(point) not null,
  kind text not null,
  reported_at timestamptz not null default now()
);
alter table public.hazard_reports enable row level security;
create index hazard_reports_location_idx on public.hazard_reports using gist (location);
