// Test-only (never shipped): preloaded into a real service process with `node -r`, it makes
// errors escape on SIGUSR2 the way a bug would: a rejected promise nobody awaits, an exception
// thrown from a timer, an 'error' event on an emitter nobody listens to. The process guard must
// log each with its stack, count it, and keep the service running.
const { EventEmitter } = require('node:events');

process.on('SIGUSR2', () => {
  void Promise.reject(new Error('escape-trigger: a rejection nobody handles'));
  setTimeout(() => {
    throw new Error('escape-trigger: an exception thrown from a timer');
  }, 10);
  setTimeout(() => new EventEmitter().emit('error', new Error('escape-trigger: an error event nobody listens to')), 20);
  setTimeout(() => void Promise.reject('escape-trigger: a rejection with a string'), 30);
});
