// Renders the parts of the docs and tests that restate the contract: the audience table of docs/topics.md, the
// route table of functions/README.md. Pure: text in, text out.
import type { z } from 'zod'
import {
  ADMIN_ROW_FIELDS,
  ENTITY_TYPES,
  type EntityType,
  ITEM_MOVES,
  ITEM_STATUSES,
  ORDER_STATUSES,
  PAYLOAD_FIELDS,
  SNAPSHOT_KINDS,
  TABLE_STATUSES,
  type TopicKind,
} from '../../contract/index.ts'
import { QUERIES, REQUESTS } from '../../contract/requests.ts'
import {
  FUNCTION_NAMES,
  ROUTE_DOCS,
  routeLabel,
  type RouteName,
  ROUTES,
  routesOf,
} from '../../contract/routes.ts'

const ENTITY_KEYS = ['type', 'id', 'version']
/** The order the docs list events in: what a cook sees first. */
const EVENTS: readonly EntityType[] = ['item', 'order', 'table']
const code = (text: string) => `\`${text}\``

/** The fields of kind's payload for event, after the envelope and the entity's identity. */
function audienceFields(kind: TopicKind, event: EntityType): string[] | undefined {
  const fields = (PAYLOAD_FIELDS[kind] as Partial<Record<EntityType, readonly string[]>>)[event]
  return fields?.filter((field) => !ENTITY_KEYS.includes(field))
}

/** docs/topics.md "Audience fields": one row per distinct field list, the kinds that share it together. */
export function audienceTable(): string {
  const rows = ['| payload | fields after the envelope |', '|---|---|']
  const everyEventSame = (kind: TopicKind) => {
    const lists = EVENTS.map((event) => audienceFields(kind, event)?.join(', '))
    return lists.every((list) => list !== undefined && list === lists[0])
  }
  const whole = SNAPSHOT_KINDS.filter(everyEventSame)
  for (const event of EVENTS) {
    const groups = new Map<string, TopicKind[]>()
    for (const kind of SNAPSHOT_KINDS) {
      const fields = audienceFields(kind, event)
      if (!fields || whole.includes(kind)) continue
      const key = fields.join(', ')
      groups.set(key, [...(groups.get(key) ?? []), kind])
    }
    for (const [fields, kinds] of groups) {
      rows.push(`| ${kinds.map(code).join(' / ')} ${event} | ${code(fields)} |`)
    }
  }
  for (const kind of whole) {
    rows.push(
      `| ${code(kind)} any | ${
        code(audienceFields(kind, 'order')!.join(', '))
      } — the whole database row (below) |`,
    )
  }
  rows.push('', '| `admin` row of | columns |', '|---|---|')
  for (const event of ENTITY_TYPES) rows.push(`| ${event} | ${code(ADMIN_ROW_FIELDS[event].join(', '))} |`)
  rows.push(
    '',
    `Statuses — item: ${code(ITEM_STATUSES.join(', '))}; order: ${
      code(ORDER_STATUSES.join(', '))
    } (open/ready/served ` +
      `are derived from the items); table: ${code(TABLE_STATUSES.join(', '))}. An item's moves: ` +
      Object.entries(ITEM_MOVES).map(([move, { from, to }]) =>
        `${move} ${code(`${from.join(' | ')} → ${to}`)}`
      )
        .join(', ') +
      '.',
  )
  return rows.join('\n')
}

/** `{table_id, items, note?}` for a zod object schema; '' for one without fields. */
function fieldList(schema: z.ZodType): string {
  const shape = (schema as z.ZodObject).shape ?? {}
  const fields = Object.entries(shape)
    .filter(([name]) => name !== 'expected_version')
    .map(([name, field]) => (field as z.ZodType).safeParse(undefined).success ? `${name}?` : name)
  return fields.length === 0 ? '' : `{${fields.join(', ')}}`
}

function request(name: RouteName): string {
  const query = (QUERIES as Partial<Record<RouteName, z.ZodType>>)[name]
  if (query) {
    const params = Object.entries((query as z.ZodObject).shape).map(([param, field]) =>
      (field as z.ZodType).safeParse(undefined).success ? `[&${param}=…]` : `&${param}=…`
    )
    return code(`?${params.join('').slice(1)}`.replace('?[&', '[?'))
  }
  const body = fieldList(REQUESTS[name].body)
  return body === '' ? '' : code(body)
}

/** functions/README.md: every route, by function, with its request, what it does and who may call it. */
export function routeTable(): string {
  const rows = ['| route | request | does | who |', '|---|---|---|---|']
  for (const fn of FUNCTION_NAMES) {
    for (const name of routesOf(fn)) {
      const route = ROUTES[name]
      const status = route.status === 200 ? '' : ` (${route.status})`
      const { does, who } = ROUTE_DOCS[name]
      rows.push(`| ${code(routeLabel(name))}${status} | ${request(name)} | ${does} | ${who} |`)
    }
  }
  return rows.join('\n')
}
