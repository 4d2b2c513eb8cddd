import { Client } from 'pg';

/** Runs once before all tests: makes sure the database answers (migrations are added here). */
export async function prepareTestDatabase(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    await client.end();
  }
}
