import type { AuthUser } from '../../auth/auth-user';
import type { Role } from '../../people/person';
import { checkTaskCreate, checkTaskDelete, checkTaskEdit, type TaskChange, type TaskFacts } from './task-rules';

const user = (id: string, role: Role): AuthUser => ({ id, role, name: id, extensions: [] });
const anna = user('anna', 'manager');
const boris = user('boris', 'manager');
const head = user('head', 'head_of_sales');
const qa = user('qa', 'qa');
const due = new Date('2026-11-02T10:15:00Z');
const task = (over: Partial<TaskFacts> = {}): TaskFacts => ({
  kind: 'callback', assigneeId: 'anna', doneAt: null, callbackSeconds: null, dealId: 'deal-1', contactId: 'contact-1', companyId: null, dueAt: due, ...over,
});
const verdict = (facts: TaskFacts, change: TaskChange, who: AuthUser): string => {
  const result = checkTaskEdit(facts, change, who);
  return result.ok ? 'ok' : `${result.code}${result.field ? `:${result.field}` : ''}`;
};

describe('task rules', () => {
  it.each([
    ['anna closes her callback task by hand', task(), { done: true }, anna, 'ok'],
    ['anna renames it and adds notes', task(), { notes: 'no answer' }, anna, 'ok'],
    ['anna re-types it', task(), { kind: 'todo' }, anna, 'forbidden:kind'],
    ['the head of sales re-types it', task(), { kind: 'call' }, head, 'forbidden:kind'],
    ['anna makes a todo a callback task', task({ kind: 'todo' }), { kind: 'callback' }, anna, 'forbidden:kind'],
    ['anna turns a todo into a call', task({ kind: 'todo' }), { kind: 'call' }, anna, 'ok'],
    ['anna moves the due time', task(), { dueAt: '2026-11-03T10:00:00Z' }, anna, 'forbidden:dueAt'],
    ['anna sends the same due time', task(), { dueAt: due.toISOString() }, anna, 'ok'],
    ['the head of sales moves the due time', task(), { dueAt: '2026-11-03T10:00:00Z' }, head, 'ok'],
    ['anna moves the due time of a todo', task({ kind: 'todo' }), { dueAt: '2026-11-03T10:00:00Z' }, anna, 'ok'],
    ['anna detaches the contact', task(), { contactId: null }, anna, 'forbidden:contactId'],
    ['anna moves it to another deal', task(), { dealId: 'deal-2' }, anna, 'forbidden:dealId'],
    ['QA moves it to another deal', task(), { dealId: 'deal-2' }, qa, 'forbidden:dealId'],
    ['boris edits anna\'s task', task(), { notes: 'mine' }, boris, 'forbidden'],
    ['boris takes the exchange\'s callback', task({ assigneeId: null }), { assigneeId: 'boris' }, boris, 'ok'],
    ['boris gives the exchange\'s callback to anna', task({ assigneeId: null }), { assigneeId: 'anna' }, boris, 'forbidden:assigneeId'],
    ['the head of sales gives it to boris', task(), { assigneeId: 'boris' }, head, 'ok'],
    ['anna reopens a task she closed by hand', task({ doneAt: due }), { done: false }, anna, 'forbidden:done'],
    ['the head of sales reopens it', task({ doneAt: due }), { done: false }, head, 'ok'],
    ['the head of sales reopens one a conversation closed', task({ doneAt: due, callbackSeconds: 95 }), { done: false }, head, 'conflict:done'],
    ['anna reopens a todo', task({ kind: 'todo', doneAt: due }), { done: false }, anna, 'ok'],
  ] as [string, TaskFacts, TaskChange, AuthUser, string][])('%s → %s', (_name, facts, change, who, expected) => {
    expect(verdict(facts, change, who)).toBe(expected);
  });

  it.each([
    ['anna creates a task (no assignee given: hers)', anna, undefined, true],
    ['anna creates a task for herself', anna, 'anna', true],
    ['anna may not create a task for boris', anna, 'boris', false],
    ['anna may not create a task for the exchange', anna, null, false],
    ['QA may not create a task for boris', qa, 'boris', false],
    ['the head of sales creates a task for boris', head, 'boris', true],
    ['the head of sales creates a task for the exchange', head, null, true],
  ] as [string, AuthUser, string | null | undefined, boolean][])('%s', (_name, who, assigneeId, ok) => {
    expect(checkTaskCreate({ assigneeId }, who).ok).toBe(ok);
  });

  it.each([
    ['anna may not delete her callback task', task(), anna, false],
    ['anna deletes her todo', task({ kind: 'todo' }), anna, true],
    ['boris may not delete anna\'s todo', task({ kind: 'todo' }), boris, false],
    ['QA may not delete a callback task', task(), qa, false],
    ['the head of sales deletes a callback task', task(), head, true],
  ] as [string, TaskFacts, AuthUser, boolean][])('%s', (_name, facts, who, ok) => {
    expect(checkTaskDelete(facts, who).ok).toBe(ok);
  });
});
