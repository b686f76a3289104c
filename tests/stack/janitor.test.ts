import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { maintainMessagePartitions, runRetention } from '../../stack/janitor.ts';
import { inRolledBackTransaction } from './helpers/rollback.ts';
import { testStack } from '../helpers/stack-env.ts';

const sql = postgres(testStack().dbUrl, { max: 1, onnotice: () => {} });
afterAll(() => sql.end());

const DAY = 24 * 3600 * 1000;
const partition = (time: number) => `messages_${new Date(time).toISOString().slice(0, 10).replaceAll('-', '_')}`;

describe('the janitor', () => {
  it('creates the partitions a later day needs and drops those older than 72 hours', async () => {
    const later = Date.now() + 10 * DAY;
    const changes = await inRolledBackTransaction(sql, (tx) => maintainMessagePartitions(tx, later));

    expect(changes.created).toEqual([-1, 0, 1, 2, 3].map((offset) => partition(later + offset * DAY)));
    // Everything the stack made for today's window is more than 72 hours before `later`.
    expect(changes.dropped).toEqual(expect.arrayContaining([partition(Date.now()), partition(Date.now() + 3 * DAY)]));
  });

  it('changes nothing when the partitions are already in place', async () => {
    const changes = await inRolledBackTransaction(sql, (tx) => maintainMessagePartitions(tx));
    expect(changes).toEqual({ created: [], dropped: [] });
  });

  it('runs the retention of the topic log and of idempotency keys', async () => {
    const ran = await inRolledBackTransaction(sql, (tx) => runRetention(tx));
    expect(ran).toEqual(['prune_idempotency_keys', 'prune_topic_log']);
  });
});
