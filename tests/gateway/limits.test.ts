import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayServer, type GatewayServer } from './helpers/gateway-server.ts';
import { RawSocket } from './helpers/raw-socket.ts';
import { testStack } from './helpers/stack.ts';

// Realtime's per-socket and per-tenant join limits, with its texts. A gateway of our own with tiny limits
// (and no error backoff), so the limits are reached in a few frames.

let server: GatewayServer;
const sockets: RawSocket[] = [];

beforeAll(async () => {
  const { dbUrl, jwtSecret } = testStack();
  server = await startGatewayServer(
    { dbUrl, jwtSecret },
    {
      maxChannelsPerClient: 2,
      maxJoinsPerSecond: 1, // five joins per five-second window
      joinErrorBackoffMs: 0,
      slotName: 'plater_realtime_limits_test',
    },
  );
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server.close();
});

async function open(): Promise<RawSocket> {
  const socket = await RawSocket.open(server.url, testStack().anonKey);
  sockets.push(socket);
  return socket;
}

const join = (socket: RawSocket, ref: string, topic: string) => {
  socket.push(ref, ref, `realtime:${topic}`, 'phx_join', { config: { private: false } });
  return socket.reply(ref);
};

// shuffle: false — the tests share one join-rate budget (the rate test spends it); until they stop sharing it they run
// in this order (vitest shuffles everything else, vitest.config.ts).
describe('join limits', { shuffle: false }, () => {
  it('refuses a third channel on one socket with ChannelRateLimitReached', async () => {
    const socket = await open();
    // Join 3 is refused before it counts against the join rate, so this test uses three of the five.
    expect((await join(socket, '1', 'a')).payload.status).toBe('ok');
    expect((await join(socket, '2', 'b')).payload.status).toBe('ok');
    expect((await join(socket, '3', 'c')).payload).toEqual({
      status: 'error',
      response: { reason: 'ChannelRateLimitReached: Too many channels' },
    });
    // Leaving frees the slot.
    socket.push('1', '4', 'realtime:a', 'phx_leave', {});
    await socket.reply('4');
    expect((await join(socket, '5', 'c')).payload.status).toBe('ok');
  });

  it('refuses joins past the rate with ClientJoinRateLimitReached and disconnects the socket', async () => {
    // Five joins per window are allowed (some went to the test above): join until one is refused, one socket
    // per join so the two-channel limit stays out of the way.
    for (let i = 1; i <= 6; i++) {
      const socket = await open();
      const reply = await join(socket, '1', `rate-${i}`);
      if (reply.payload.status === 'ok') continue;
      expect(reply.payload.response).toEqual({ reason: 'ClientJoinRateLimitReached: Too many joins per second' });
      expect((await socket.closed).code).toBe(1000);
      return;
    }
    throw new Error('no join was refused');
  });
});
