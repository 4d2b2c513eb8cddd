import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `extension_owners`: the one rule for "which person is extension 101", in SQL — one row per
 * extension of an active user. Saving a person whose extension another active person holds is
 * refused (UsersService), so each extension has one active owner; a clash left by data written
 * before that check resolves to the oldest active user (created_at, then id), the same for every
 * reader. Everything that maps an extension to a person reads this view: the call writer (calls,
 * legs, per-person rows), the statistics, and the in-process people directory (src/people),
 * which the tracker, routing, realtime and lead capture use.
 */
export class ExtensionOwners1795510000000 implements MigrationInterface {
  name = 'ExtensionOwners1795510000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE VIEW extension_owners AS
      SELECT DISTINCT ON (e.extension) e.extension, u.id AS user_id
        FROM users u CROSS JOIN LATERAL unnest(u.extensions) AS e(extension)
       WHERE u.active
       ORDER BY e.extension, u.created_at, u.id`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP VIEW extension_owners`);
  }
}
