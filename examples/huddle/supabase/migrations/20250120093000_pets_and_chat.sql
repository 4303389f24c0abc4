create table public.pets (
  id bigint generated always as identity primary key,
  owner uuid not null references public.profiles on delete cascade,
  name text not null,
  species text not null
);
alter table public.pets enable row level security;

create table public.chat_members (
  room uuid not null,
  member uuid not null references public.profiles on delete cascade,
  primary key (room, member)
);
alter table public.chat_members enable row level security;

create table public.chat_messages (
  id bigint generated always as identity primary key,
  room uuid not null,
  sender uuid not null references public.profiles,
  body text not null,
  sent_at timestamptz not null default now()
);
alter table public.chat_messages enable row level security;
-- Release checklist: "Chat RLS outsider-deny check passes".
create policy "members read their rooms" on public.chat_messages
  for select using (exists (
    select 1 from public.chat_members m where m.room = chat_messages.room and m.member = auth.uid()
  ));
