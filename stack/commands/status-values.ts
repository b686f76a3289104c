import { JWKS_PATH, type StackConfig } from '../config.ts';

/** The values `plater status` reports, named as `supabase status -o env` names them. */
export interface StatusValues {
  API_URL: string;
  DB_URL: string;
  PUBLISHABLE_KEY: string;
  SECRET_KEY: string;
  ANON_KEY: string;
  SERVICE_ROLE_KEY: string;
  JWT_SECRET: string;
  JWKS_URL: string;
}

export function statusValues(config: StackConfig, urls: { apiUrl: string; dbUrl: string }): StatusValues {
  return {
    API_URL: urls.apiUrl,
    DB_URL: urls.dbUrl,
    PUBLISHABLE_KEY: config.publishableKey,
    SECRET_KEY: config.secretKey,
    ANON_KEY: config.anonKey,
    SERVICE_ROLE_KEY: config.serviceRoleKey,
    JWT_SECRET: config.jwtSecret,
    JWKS_URL: `${urls.apiUrl}${JWKS_PATH}`,
  };
}

export type StatusFormat = 'pretty' | 'env' | 'json';

const prettyLabels: Record<keyof StatusValues, string> = {
  API_URL: 'API URL',
  DB_URL: 'DB URL',
  PUBLISHABLE_KEY: 'publishable key',
  SECRET_KEY: 'secret key',
  ANON_KEY: 'anon key (legacy)',
  SERVICE_ROLE_KEY: 'service_role key (legacy)',
  JWT_SECRET: 'JWT secret (legacy)',
  JWKS_URL: 'JWKS URL',
};

export function formatStatus(values: StatusValues, format: StatusFormat): string {
  const entries = Object.entries(values) as Array<[keyof StatusValues, string]>;
  switch (format) {
    case 'env':
      return entries.map(([key, value]) => `${key}=${JSON.stringify(value)}`).join('\n');
    case 'json':
      return JSON.stringify(values, null, 2);
    case 'pretty': {
      const width = Math.max(...entries.map(([key]) => prettyLabels[key].length));
      return entries.map(([key, value]) => `${prettyLabels[key].padStart(width)}: ${value}`).join('\n');
    }
  }
}
