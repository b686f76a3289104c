// GET /menu → 200 {restaurant_id, items: [{id, name, station_id, price_cents?, active}]} (public.staff_menu: the
// caller's restaurant; prices for servers and managers), strong ETag, 304 on If-None-Match; 401 not_staff.
import { staffReadHandler } from '../_shared/staff-read.ts'

export const handler = staffReadHandler('menu', 'select public.staff_menu() as body;')
