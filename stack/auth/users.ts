/** A row of auth.users as JSON (`to_jsonb(u)`): only the columns every Supabase-compatible auth.users has. */
export interface UserRow {
  id: string
  email: string | null
  email_confirmed_at?: string | null
  raw_app_meta_data?: Record<string, unknown> | null
  raw_user_meta_data?: Record<string, unknown> | null
  role?: string | null
  aud?: string | null
  created_at?: string | null
  updated_at?: string | null
  last_sign_in_at?: string | null
}

/** The user object GoTrue answers with (what supabase-js exposes as `User`). */
export function userJson(row: UserRow) {
  const appMetadata = row.raw_app_meta_data ?? { provider: 'email', providers: ['email'] }
  return {
    id: row.id,
    aud: row.aud ?? 'authenticated',
    role: row.role ?? 'authenticated',
    email: row.email ?? '',
    email_confirmed_at: row.email_confirmed_at ?? undefined,
    phone: '',
    confirmed_at: row.email_confirmed_at ?? undefined,
    last_sign_in_at: row.last_sign_in_at ?? undefined,
    app_metadata: appMetadata,
    user_metadata: row.raw_user_meta_data ?? {},
    identities: [],
    created_at: row.created_at ?? new Date(0).toISOString(),
    updated_at: row.updated_at ?? row.created_at ?? new Date(0).toISOString(),
    is_anonymous: false,
  }
}
