// Input validation with zod: a failure answers 400 `invalid_request` naming every offending field
// (`details.issues[] = {path, message}`), the first one also in `message`. The schemas are the contract's
// (@plater/contract/requests.ts).
import { HttpError } from '@plater/contract/errors.ts'
import type { z } from './deps.ts'

export interface FieldIssue {
  path: string
  message: string
}

const pathOf = (path: PropertyKey[]) => path.map(String).join('.') || '(body)'

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    // an unknown field is reported at that field, so a client can show it next to what it sent
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
        path: pathOf([...issue.path, key]),
        message: `${key} is not a known field`,
      }))
      : [{ path: pathOf(issue.path), message: issue.message }]
  )
}

export function validate<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value)
  if (result.success) return result.data
  const issues = issuesOf(result.error)
  const first = issues[0]!
  throw new HttpError(400, 'invalid_request', `${where} ${first.path}: ${first.message}`, { issues })
}
