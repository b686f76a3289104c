import { VSN } from './constants.ts'
import type { Serializer } from './serializer.ts'
import { v1Serializer } from './v1.ts'
import { v2Serializer } from './v2.ts'

/** The serializer for a `vsn` query value, or undefined if the gateway does not speak it. */
export function serializerFor(vsn: string): Serializer | undefined {
  if (vsn === VSN.v1) return v1Serializer
  if (vsn === VSN.v2) return v2Serializer
  return undefined
}
