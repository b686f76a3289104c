-- The topic epoch (docs/topics.md "Epoch"): one uuid, readable by staff and the service key, not by anon;
-- changed only by the owner (a restore), never by an API role.
begin;
\ir helpers/act_as.sql

select plan(11);

select tests.reset_role();
create temp table before as select public.topic_epoch() as epoch;
grant select on before to authenticated, service_role;

select isnt((select epoch from before), null, 'the database has an epoch');
select is((select count(*)::int from plater_private.topic_epoch), 1, 'exactly one epoch row');

select tests.act_as('cook.grill@bistro.test');
select is(public.topic_epoch(), (select epoch from before), 'staff read the epoch');
select tests.act_as_service();
select is(public.topic_epoch(), (select epoch from before), 'the service key reads the epoch');
select tests.act_as_anon();
select throws_ok('select public.topic_epoch()', '42501', null, 'anon may not read the epoch');

select tests.act_as('manager@bistro.test');
select throws_ok('select plater_private.start_topic_epoch()', '42501', null, 'a manager may not start an epoch');
select throws_ok('select * from plater_private.topic_epoch', '42501', null, 'staff may not read the epoch table');
select tests.act_as_service();
select throws_ok('select plater_private.start_topic_epoch()', '42501', null, 'the service key may not start an epoch');

select tests.reset_role();
select isnt(plater_private.start_topic_epoch(), (select epoch from before), 'a new epoch is a new uuid');
select is(public.topic_epoch(), (select epoch from plater_private.topic_epoch), 'topic_epoch() answers the new one');
select throws_ok('insert into plater_private.topic_epoch default values', '23505', null,
                 'there is never a second epoch');

select * from finish();
rollback;
