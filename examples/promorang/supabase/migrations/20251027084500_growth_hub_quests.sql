create table public.quests (
  id uuid primary key default gen_random_uuid(),
  campaign uuid not null references public.campaigns on delete cascade,
  kind text not null check (kind in ('share', 'comment', 'create')),
  reward_points integer not null default 0
);
alter table public.quests enable row level security;
