import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { signAccessToken } from '../../stack/keys.ts';
import type { ClientMessage } from '../../stack/gateway/protocol/client.ts';
import { startGatewayServer, type GatewayServer } from './helpers/gateway-server.ts';
import { ManualClock } from './helpers/manual-clock.ts';
import { RawSocket } from './helpers/raw-socket.ts';
import { SEED, testStack } from './helpers/stack.ts';

// The join limits: channels per socket, and joins per socket, per caller (JWT sub, else remote address) and per
// pool (anonymous / signed in), with Realtime's texts. A gateway of our own with tiny limits and a clock that
// moves only when a test moves it: every test starts a fresh window, so none depends on another or on timing.

const BACKOFF_MS = 5000;
const clock = new ManualClock();
let server: GatewayServer;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  const { dbUrl, jwtSecret } = testStack();
  server = await startGatewayServer(
    { dbUrl, jwtSecret },
    {
      maxChannelsPerClient: 3,
      maxJoinsPerSocket: 2, // 10 per five-second window
      maxJoinsPerCaller: 3, // 15
      maxJoinsPerSecond: 4, // 20 per pool
      joinErrorBackoffMs: BACKOFF_MS,
      slotName: 'plater_realtime_limits_test',
    },
    { clock },
  );
});

beforeEach(() => clock.advance(10_000));

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close();
});

/** A socket with the anon key; from another 127.x address it is another anonymous caller. */
async function open(localAddress?: string): Promise<RawSocket> {
  const socket = await RawSocket.open(server.url, testStack().anonKey, '2.0.0', localAddress);
  sockets.push(socket);
  return socket;
}

const staffToken = (user: { id: string; email: string }) =>
  signAccessToken(testStack().jwtSecret, user, new Date(clock.now()));

let refs = 0;

/** Join and wait for the reply; with `leave`, send phx_leave right behind the join, as a flooder does. */
async function join(
  socket: RawSocket,
  topic: string,
  options: { accessToken?: string; private?: boolean; leave?: boolean } = {},
): Promise<ClientMessage> {
  const ref = String(++refs);
  const payload = { config: { private: options.private ?? false }, access_token: options.accessToken };
  socket.push(ref, ref, `realtime:${topic}`, 'phx_join', payload);
  if (options.leave) socket.push(ref, `${ref}-leave`, `realtime:${topic}`, 'phx_leave', {});
  return socket.reply(ref);
}

/** Join and leave `count` times on one socket, each answered ok; the caller's budget goes down by `count`. */
async function spend(socket: RawSocket, count: number, options: { accessToken?: string } = {}): Promise<void> {
  for (let i = 0; i < count; i++) {
    const reply = await join(socket, `spend-${refs}`, options);
    expect(reply.payload.status).toBe('ok');
    socket.push(reply.join_ref ?? null, `${reply.ref}-leave`, reply.topic, 'phx_leave', {});
    await socket.reply(`${reply.ref}-leave`);
  }
}

const RATE_LIMITED = { status: 'error', response: { reason: 'ClientJoinRateLimitReached: Too many joins per second' } };

describe('channels per socket', () => {
  it('refuses a fourth channel with ChannelRateLimitReached after the join error backoff, and leaving frees it', async () => {
    const socket = await open();
    for (const topic of ['a', 'b', 'c']) expect((await join(socket, topic)).payload.status).toBe('ok');
    const ref = String(++refs);
    socket.push(ref, ref, 'realtime:d', 'phx_join', { config: { private: false } });
    // Answered only once the backoff has passed on the gateway's clock (not the test's wall clock).
    let reply: ClientMessage | undefined;
    while (!reply) {
      clock.advance(BACKOFF_MS);
      reply = await socket.next((m) => m.ref === ref, 50).catch(() => undefined);
    }
    expect(reply.payload).toEqual({ status: 'error', response: { reason: 'ChannelRateLimitReached: Too many channels' } });

    socket.push('1', 'leave-a', 'realtime:a', 'phx_leave', {});
    await socket.reply('leave-a');
    expect((await join(socket, 'd')).payload.status).toBe('ok');
  });
});

describe('joins per socket', () => {
  it('refuses the flooding socket at once even when it left right away, and disconnects it', async () => {
    const socket = await open();
    await spend(socket, 10);
    // The eleventh join, with its leave right behind it: the refusal is not held back by the 5 s backoff
    // (which the flooder would leave and rejoin within), so it reaches the socket, which is then closed.
    expect((await join(socket, 'flood', { leave: true })).payload).toEqual(RATE_LIMITED);
    expect((await socket.closed).code).toBe(1000);
    expect((await server.gateway.snapshot()).rateLimitedJoins.socket).toBeGreaterThan(0);
  });
});

describe('joins per caller', () => {
  it('counts every socket of one anonymous address together, until the window moves on', async () => {
    const first = await open('127.0.0.2');
    await spend(first, 8);
    const second = await open('127.0.0.2');
    await spend(second, 7);
    expect(await join(second, 'one-too-many')).toMatchObject({ payload: RATE_LIMITED });
    expect((await second.closed).code).toBe(1000);

    // Another address, and the same address a window later, join again.
    expect((await join(await open('127.0.0.3'), 'elsewhere')).payload.status).toBe('ok');
    clock.advance(5_000);
    expect((await join(await open('127.0.0.2'), 'later')).payload.status).toBe('ok');
  });

  it('counts a staff member by JWT sub across sockets, and not against anyone else', async () => {
    const ana = await staffToken(SEED.users.ana);
    await spend(await open('127.0.0.4'), 8, { accessToken: ana });
    const second = await open('127.0.0.5');
    await spend(second, 7, { accessToken: ana });
    expect(await join(second, 'ana-again', { accessToken: ana })).toMatchObject({ payload: RATE_LIMITED });

    const gus = await staffToken(SEED.users.grill);
    expect((await join(await open('127.0.0.4'), 'gus', { accessToken: gus })).payload.status).toBe('ok');
  });
});

describe('pools', () => {
  it('lets staff join while anonymous callers have spent the whole anonymous pool', async () => {
    // Two anonymous addresses spend the anonymous pool (20): 15 + 5.
    const a = await open('127.0.0.6');
    await spend(a, 8);
    await spend(await open('127.0.0.6'), 7);
    await spend(await open('127.0.0.7'), 5);
    const latecomer = await open('127.0.0.8');
    expect(await join(latecomer, 'anon-refused')).toMatchObject({ payload: RATE_LIMITED });
    expect((await server.gateway.snapshot()).rateLimitedJoins.anonymous).toBeGreaterThan(0);

    // Staff sign in from the same address as a flooder, on a private topic (RLS read through Postgres).
    const staff = await open('127.0.0.6');
    const token = await staffToken(SEED.users.ana);
    const topic = `server:${SEED.bistro}:${SEED.users.ana.id}`;
    expect((await join(staff, topic, { accessToken: token, private: true })).payload.status).toBe('ok');
    expect((await join(staff, 'floor', { accessToken: token })).payload.status).toBe('ok');
  });
});
