import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Payloads of the desk fan-out between instances (src/realtime/fanout.ts, the socket.io Postgres
 * adapter): each message is stored here and its id sent with NOTIFY; the adapter deletes rows
 * older than 30 s. The table layout is the adapter's (its README).
 */
export class SocketIoAttachments1795470000000 implements MigrationInterface {
  name = 'SocketIoAttachments1795470000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "socket_io_attachments" ("id" bigserial UNIQUE, "created_at" TIMESTAMP WITH TIME ZONE DEFAULT now(), "payload" bytea)`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "socket_io_attachments"`);
  }
}
