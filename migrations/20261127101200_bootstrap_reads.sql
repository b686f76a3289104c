-- Bootstrap reads: who the caller is and what they may open (`staff_session`), and their restaurant's menu
-- (`staff_menu`), so a front end needs nothing but a sign-in. Both run as the caller (SECURITY INVOKER): RLS
-- decides which rows they see, and the scopes are filtered by the same predicate the socket join uses
-- (`plater_private.can_read_topic`), so the list can never promise a topic the gateway would refuse.

-- The caller's active staff row through RLS ("staff read their own row"), or PT401.
create function plater_private.require_staff() returns public.staff
language plpgsql stable set search_path = ''
as $$
declare
  me public.staff;
begin
  select s.* into me from public.staff s where s.user_id = (select auth.uid()) and s.active;
  if me.user_id is null then
    -- raised here, not through plater_private.fail, which API roles may not call
    raise exception using errcode = 'PT401', message = 'sign in as an active staff member';
  end if;
  return me;
end;
$$;
revoke all on function plater_private.require_staff() from public;
grant execute on function plater_private.require_staff() to authenticated;

-- {user_id, staff, restaurant, stations, scopes}: scopes in a fixed order (kds by station slug, expo, server,
-- floor, admin, crew), only those the caller may open. A manager may also read other servers' topics; the list
-- names their own, the one a "server" scope opens.
create function public.staff_session() returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  me public.staff := plater_private.require_staff();
  r uuid := me.restaurant_id;
begin
  return jsonb_build_object(
    'user_id', me.user_id,
    'staff', jsonb_build_object('user_id', me.user_id, 'restaurant_id', r, 'role', me.role,
                                'station_id', me.station_id, 'display_name', me.display_name),
    'restaurant', (select jsonb_build_object('id', x.id, 'name', x.name) from public.restaurants x where x.id = r),
    'stations', coalesce((select jsonb_agg(jsonb_build_object('id', st.id, 'slug', st.slug, 'name', st.name)
                                           order by st.slug)
                            from public.stations st where st.restaurant_id = r), '[]'),
    'scopes', coalesce((
      select jsonb_agg(c.scope order by c.n, c.sort)
        from (
          select 1 as n, st.slug as sort, format('kds:%s:%s', r, st.id) as topic,
                 jsonb_build_object('scope', 'kds', 'station_id', st.id, 'topic', format('kds:%s:%s', r, st.id)) as scope
            from public.stations st where st.restaurant_id = r
          union all
          select 2, '', format('expo:%s', r), jsonb_build_object('scope', 'expo', 'topic', format('expo:%s', r))
          union all
          select 3, '', format('server:%s:%s', r, me.user_id),
                 jsonb_build_object('scope', 'server', 'staff_id', me.user_id,
                                    'topic', format('server:%s:%s', r, me.user_id))
          union all
          select 4, '', format('floor:%s', r), jsonb_build_object('scope', 'floor', 'topic', format('floor:%s', r))
          union all
          select 5, '', format('admin:%s', r), jsonb_build_object('scope', 'admin', 'topic', format('admin:%s', r))
          union all
          select 6, '', format('crew:%s', r), jsonb_build_object('scope', 'crew', 'topic', format('crew:%s', r))
        ) c
       where plater_private.can_read_topic(c.topic)), '[]'));
end;
$$;

-- {restaurant_id, items: [{id, name, station_id, price_cents?, active}]}, by station slug then name. Prices only
-- for the roles that sell (servers, managers): a kitchen screen has no use for them. (This shapes the answer;
-- it is not a secret from cooks, who may read menu_items under RLS.)
create function public.staff_menu() returns jsonb
language plpgsql stable security invoker set search_path = ''
as $$
declare
  me public.staff := plater_private.require_staff();
  priced boolean := me.role in ('server', 'manager');
begin
  return jsonb_build_object('restaurant_id', me.restaurant_id, 'items', coalesce((
    select jsonb_agg(jsonb_build_object('id', m.id, 'name', m.name, 'station_id', m.station_id, 'active', m.active)
                     || case when priced then jsonb_build_object('price_cents', m.price_cents) else '{}' end
                     order by st.slug, m.name, m.id)
      from public.menu_items m join public.stations st on st.id = m.station_id
     where m.restaurant_id = me.restaurant_id), '[]'));
end;
$$;

revoke all on function public.staff_session(), public.staff_menu() from public, anon;
grant execute on function public.staff_session(), public.staff_menu() to authenticated;
