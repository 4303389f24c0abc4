-- Runbook 001 §3 checklist: "content_share_positions migration applied;
-- verify initial mint".
create table public.content_share_positions (
  id bigint generated always as identity primary key,
  content_id uuid not null references public.content on delete cascade,
  holder uuid not null references auth.users,
  shares numeric(20, 6) not null check (shares > 0),
  minted_at timestamptz not null default now()
);
create index content_share_positions_content_idx on public.content_share_positions (content_id);
alter table public.content_share_positions enable row level security;
