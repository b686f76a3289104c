-- set_rush on generic plans, like the other write RPCs (20261130100200_write_path_generic_plans.sql explains why:
-- every statement on the write path is a key lookup or a set-wise write whose best plan does not depend on the
-- values, so re-planning them is pure cost). The setting covers the triggers set_rush fires.
alter function public.set_rush(uuid, boolean, int) set plan_cache_mode = force_generic_plan;
