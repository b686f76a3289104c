import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * Per-install secrets, kept in `<dataDir>/secrets.json` so the keys printed by `plater status` stay valid
 * across restarts. `issuedAt` pins the `iat` of the anon/service keys, which makes them deterministic.
 */
export interface StackSecrets {
  jwtSecret: string;
  issuedAt: number;
}

const secretsSchema = z.object({
  jwtSecret: z.string().min(32),
  issuedAt: z.number().int().positive(),
});

export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = join(dataDir, 'secrets.json');
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text !== undefined) {
    const parsed = secretsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(`${file} is malformed; delete it to generate new keys (${parsed.error.message})`);
    return parsed.data;
  }
  const secrets: StackSecrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    issuedAt: Math.floor(Date.now() / 1000),
  };
  mkdirSync(dataDir, { recursive: true });
  // 'wx': never overwrite a file another process created meanwhile; mode 600: it signs every key.
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
  return secrets;
}
