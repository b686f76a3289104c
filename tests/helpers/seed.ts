/** The password of every seeded account (supabase/seed.sql; development only). */
export const SEED_PASSWORD = 'plater-demo'

/** Fixed ids from supabase/seed.sql. */
export const SEED = {
  bistro: '00000000-0000-4000-8000-00000000b001',
  diner: '00000000-0000-4000-8000-00000000d001',
  stations: {
    bistroGrill: '00000000-0000-4000-8000-00000000b0a1',
    bistroFry: '00000000-0000-4000-8000-00000000b0a2',
  },
  users: {
    manager: { id: '00000000-0000-4000-8000-00000000b101', email: 'manager@bistro.test' },
    expo: { id: '00000000-0000-4000-8000-00000000b102', email: 'expo@bistro.test' },
    grill: { id: '00000000-0000-4000-8000-00000000b103', email: 'cook.grill@bistro.test' },
    fry: { id: '00000000-0000-4000-8000-00000000b104', email: 'cook.fry@bistro.test' },
    ana: { id: '00000000-0000-4000-8000-00000000b105', email: 'server.ana@bistro.test' },
    ben: { id: '00000000-0000-4000-8000-00000000b106', email: 'server.ben@bistro.test' },
    dinerManager: { id: '00000000-0000-4000-8000-00000000d101', email: 'manager@diner.test' },
    dinerGrill: { id: '00000000-0000-4000-8000-00000000d102', email: 'cook.grill@diner.test' },
  },
} as const

/** The fixed id of seeded table `T<n>` (bistro, 1–12) or `D<n>` (diner, 1–6). */
export function seedTableId(restaurant: 'bistro' | 'diner', n: number): string {
  return `00000000-0000-4000-8000-00000000${restaurant === 'bistro' ? 'b' : 'd'}2${
    String(n).padStart(2, '0')
  }`
}

/** Fixed ids of a few seeded menu items (all of them in supabase/seed.sql: b301–b322, d301–d305). */
export const SEED_MENU = {
  burger: '00000000-0000-4000-8000-00000000b302', // grill
  ribeye: '00000000-0000-4000-8000-00000000b301', // grill
  fries: '00000000-0000-4000-8000-00000000b307', // fry
  caesar: '00000000-0000-4000-8000-00000000b312', // salad
  lemonade: '00000000-0000-4000-8000-00000000b317', // bar
  dinerBurger: '00000000-0000-4000-8000-00000000d301', // diner grill
} as const
