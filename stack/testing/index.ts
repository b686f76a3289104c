// The stack's testing entry point: what the test suites and the load harness (load/) use to act as clients of a
// running stack without a sign-in or a supabase-js socket. Nothing in the stack itself imports it.
export { signAccessToken, type TokenSubject } from './access-token.ts';
export { type ClientMessage, clientDecode, clientEncode, clientTextPush } from './realtime-codec.ts';
