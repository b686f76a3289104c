// The pgTAP fixture of the contract's key lists, written before every pgTAP run, so the SQL payload builders are
// checked against contract/payloads.ts as it is now (tests/db/topics.test.sql includes it); not committed, so a
// change to a payload's fields is the contract, the SQL builder and the generated docs, nothing more.
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  ADMIN_ROW_FIELDS,
  ENTITY_TYPES,
  ENVELOPE_FIELDS,
  PAYLOAD_FIELDS,
  SNAPSHOT_DATA_FIELDS,
  SNAPSHOT_KINDS,
} from '../../contract/index.ts'

export const CONTRACT_FIELDS_FIXTURE = join('tests', 'db', 'helpers', 'contract_fields.sql')

export function writeContractFieldsFixture(repoRoot: string): void {
  writeFileSync(join(repoRoot, CONTRACT_FIELDS_FIXTURE), contractFieldsSql())
}

const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`
const sqlArray = (items: readonly string[]) => `array[${items.map(sqlText).join(', ')}]`
/** The rows as a temp table whose `keys` are sorted by the database (its collation, as the tests' own sorts). */
function keysTable(name: string, columns: string[], rows: string[]): string[] {
  const names = columns.join(', ')
  return [
    `create temp table ${name} (${
      columns.map((column) => `${column} text`).join(', ')
    }, keys text[], primary key (${names}));`,
    `insert into ${name}`,
    `select ${names}, array(select k from unnest(keys) k order by k) from (values`,
    rows.join(',\n'),
    `) as v (${names}, keys);`,
  ]
}

/** tests/db/helpers/contract_fields.sql: the contract's key lists as temp tables for pgTAP. */
export function contractFieldsSql(): string {
  const payloadRows = SNAPSHOT_KINDS.flatMap((kind) =>
    Object.entries(PAYLOAD_FIELDS[kind]).map(([event, fields]) =>
      `  (${sqlText(kind)}, ${sqlText(event)}, ${sqlArray([...ENVELOPE_FIELDS, ...(fields as string[])])})`
    )
  )
  const rowRows = ENTITY_TYPES.map((event) => `  (${sqlText(event)}, ${sqlArray(ADMIN_ROW_FIELDS[event])})`)
  const dataRows = SNAPSHOT_KINDS.map((kind) =>
    `  (${sqlText(kind)}, ${sqlArray(SNAPSHOT_DATA_FIELDS[kind])})`
  )
  return [
    '-- GENERATED from contract/payloads.ts by the pgTAP suite before every run (stack/testing/contract-fields.ts);',
    '-- not committed. Included by tests/db/topics.test.sql after `begin;`.',
    '--',
    '--   payload_keys (kind, event, keys):  every key of a published payload, envelope included',
    "--   admin_row_keys (event, keys):      the columns of the whole row in the manager's feed",
    "--   snapshot_data_keys (kind, keys):   the keys of a snapshot's `data`",
    ...keysTable('payload_keys', ['kind', 'event'], payloadRows),
    ...keysTable('admin_row_keys', ['event'], rowRows),
    ...keysTable('snapshot_data_keys', ['kind'], dataRows),
    '',
  ].join('\n')
}
