import { bytes } from '../scenarios/bytes.ts'
import { capacity } from '../scenarios/capacity/scenario.ts'
import { chaos } from '../scenarios/chaos.ts'
import { connections } from '../scenarios/connections.ts'
import { hotTopic } from '../scenarios/hot-topic.ts'
import { mutations, revalidations } from '../scenarios/functions.ts'
import { service } from '../scenarios/service.ts'
import { users } from '../scenarios/users.ts'
import type { Scenario } from './scenario.ts'

/** Every scenario of `npm run bench`, in the order `all` runs them (chaos last: it restarts the stack). */
export const SCENARIOS: Scenario[] = [
  hotTopic,
  service,
  connections,
  mutations,
  revalidations,
  bytes,
  users,
  capacity,
  chaos,
]
