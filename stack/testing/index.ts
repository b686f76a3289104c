// The stack's testing entry point: what the test suites and the load harness (load/) use to act as clients of a
// stack, or to start one of their own, without reaching into the stack's modules. load/ imports the stack only
// through this file (tests/structure/imports.test.ts); nothing in the stack itself imports it.

// Tokens and frames of a client that has no sign-in or supabase-js socket.
export { signAccessToken, type TokenSubject } from './access-token.ts'
export { signApiKey } from '../api-keys.ts'
export { clientDecode, clientEncode, type ClientMessage, clientTextPush } from './realtime-codec.ts'
export { broadcastWireBytes } from './broadcast-frame.ts'

// A stack or gateway of the caller's own, and the limits it may raise on them.
export {
  PrivateStack,
  removeAbandonedStacks,
  runningStackApiPid,
  type StackEndpoints,
  stackProcesses,
  statusEndpoints,
} from './private-stack.ts'
export { type BareGateway, type GatewaySnapshot, serveBareGateway, serveGateway } from './bare-gateway.ts'
// The processes a benchmark charges CPU to (Linux /proc).
export { processArgs, type ProcessSnapshot, processSnapshot, processStat } from '../process-util.ts'
export { GATEWAY_LIMIT_DEFAULTS, GATEWAY_LIMIT_ENV, SIGN_IN_LIMIT_ENV, signInLimitDefault } from './limits.ts'
