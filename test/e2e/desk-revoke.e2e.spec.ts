import { io as connectIo, type Socket as IoSocket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { RealtimeGateway } from '../../src/realtime/realtime.gateway';
import { until } from '../support/until';
import { createTestApp, type TestApp } from '../support/test-app';

describe('desks of a deactivated user', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('are disconnected at the next re-check (socket.io and /ws), and cannot reconnect', async () => {
    const url = await t.app.getUrl();
    const user = await t.factories.user({ role: 'manager', password: 'password-123' });
    const login = await t.http.post('/api/auth/login').send({ email: user.email, password: 'password-123' }).expect(200);
    const token = login.body.accessToken as string;
    const admin = await t.tokenFor('admin');

    const browser: IoSocket = connectIo(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => browser.once('connect', resolve).once('connect_error', reject));
    const plain = new WebSocket(`${url.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
    await new Promise<void>((resolve, reject) => plain.once('open', () => resolve()).once('error', reject));
    const plainClosed = new Promise<number>((resolve) => plain.once('close', (code) => resolve(code)));

    const gateway = t.app.get(RealtimeGateway);
    expect(await gateway.revalidateDesks()).toBe(0);
    await t.http.delete(`/api/users/${user.id}`).set('Authorization', `Bearer ${admin}`).expect(200);
    expect(await gateway.revalidateDesks()).toBe(2);
    await until('the socket.io desk to be disconnected', () => !browser.connected);
    expect(await plainClosed).toBe(4001);

    const again: IoSocket = connectIo(url, { auth: { token }, transports: ['websocket'], reconnection: false });
    const refused = await new Promise<string>((resolve) => again.once('connect_error', (error) => resolve(error.message)));
    expect(refused).toMatch(/unauthorized|no longer active/);
    again.close();
    browser.close();
  });
});
