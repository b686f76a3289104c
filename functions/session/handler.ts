// GET /session → 200 {user_id, staff, restaurant, stations, scopes} (public.staff_session: who the caller is and
// which topics they may open), strong ETag, 304 on If-None-Match; 401 not_staff without an active staff row.
import { staffReadHandler } from '../_shared/staff-read.ts'

export const handler = staffReadHandler('session', 'select public.staff_session() as body;')
