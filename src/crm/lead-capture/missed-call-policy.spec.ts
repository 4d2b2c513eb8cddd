import type { CallRecord } from '../../telephony/calls/call-record';
import { planLeadCapture, type LeadFacts, type LeadPolicyConfig } from './missed-call-policy';

const T0 = 1_795_400_000;
const config: LeadPolicyConfig = { callbackSlaMinutes: 15, dealOnAnsweredNewCaller: true, language: 'ru' };

function call(overrides: Partial<CallRecord>): CallRecord {
  return {
    linkedid: '1.1', direction: 'inbound', caller: '+79031112233', callerName: null, did: '74951112233', placedBy: null,
    startedAt: T0, answeredAt: null, endedAt: T0 + 40, ringSeconds: 40, talkSeconds: 0, answeredBy: null,
    disposition: 'missed', abandoned: false, voicemail: true, stepReached: 'owner', stepIndex: 4, hangupCause: 16,
    hangupCauseText: null, hungUpBy: 'pbx', transferredTo: null, recordingFile: null, voicemailMessage: null, closedBy: 'hangup', legs: [], queues: [],
    ...overrides,
  };
}

function facts(overrides: Partial<LeadFacts> = {}): LeadFacts {
  return { owner: null, openDealId: null, openCallbackTasks: [], answeredByUserId: null, placedByUserId: null, talkedSince: null, ...overrides };
}

const known = { contactId: 'contact-1', companyId: 'company-1', responsibleUserId: 'anna' };
const openTask = { id: 'task-1', firstMissedAt: new Date((T0 - 600) * 1000), createdAt: new Date((T0 - 600) * 1000) };

describe('planLeadCapture', () => {
  test.each([
    { name: 'missed, new number → lead with callback task', record: call({}), facts: facts(), reason: 'missed-new-number', writes: ['createLead'] },
    { name: 'abandoned, new number → lead', record: call({ abandoned: true, voicemail: false }), facts: facts(), reason: 'missed-new-number', writes: ['createLead'] },
    { name: 'missed, known → callback task', record: call({}), facts: facts({ owner: known, openDealId: 'deal-1' }), reason: 'missed-known-number', writes: ['createCallbackTask'] },
    { name: 'missed again while a task is open → merged', record: call({}), facts: facts({ owner: known, openCallbackTasks: [openTask] }), reason: 'missed-merged', writes: ['mergeMissedCall'] },
    { name: 'anonymous → nothing', record: call({ caller: 'anonymous' }), facts: facts(), reason: 'anonymous', writes: [] },
    { name: 'internal → nothing', record: call({ direction: 'internal', caller: '101' }), facts: facts(), reason: 'not-a-client-call', writes: [] },
    { name: 'answered, known, no task → nothing', record: call({ disposition: 'answered', answeredAt: T0 + 3, answeredBy: '101' }), facts: facts({ owner: known }), reason: 'answered', writes: [] },
    { name: 'answered, new → lead owned by who answered', record: call({ disposition: 'answered', answeredAt: T0 + 3, answeredBy: '103' }), facts: facts({ answeredByUserId: 'vera' }), reason: 'answered-new-number', writes: ['createLead'] },
    { name: 'answered inbound with open task → closes it', record: call({ disposition: 'answered', answeredAt: T0 + 3, answeredBy: '101' }), facts: facts({ owner: known, openCallbackTasks: [openTask] }), reason: 'answered', writes: ['closeCallbackTasks'] },
    { name: 'outbound answered → closes the task', record: call({ direction: 'outbound', disposition: 'answered', answeredAt: T0 + 6, placedBy: '101' }), facts: facts({ owner: known, openCallbackTasks: [openTask], placedByUserId: 'anna' }), reason: 'answered', writes: ['closeCallbackTasks'] },
    { name: 'outbound unanswered → an attempt only', record: call({ direction: 'outbound', disposition: 'missed', placedBy: '101' }), facts: facts({ owner: known, openCallbackTasks: [openTask] }), reason: 'callback-attempt', writes: ['recordCallbackAttempt'] },
    { name: 'outbound unanswered, no task → nothing', record: call({ direction: 'outbound', disposition: 'missed' }), facts: facts(), reason: 'nothing-to-do', writes: [] },
  ])('$name', ({ record, facts: f, reason, writes }) => {
    const plan = planLeadCapture(record, f, config);
    expect(plan.reason).toBe(reason);
    expect(plan.writes.map((w) => w.type)).toEqual(writes);
  });

  it('a new-number lead sits in the exchange with a task due within the SLA of the call\'s end', () => {
    const [write] = planLeadCapture(call({}), facts(), config).writes;
    expect(write).toMatchObject({ type: 'createLead', phone: '+79031112233', line: '74951112233', responsibleUserId: null, title: 'Пропущенный звонок с +79031112233', taskTitle: 'Перезвонить +79031112233' });
    expect(write?.type === 'createLead' && write.dueAt.getTime()).toBe((T0 + 40 + 15 * 60) * 1000);
  });

  it('a voicemail message the caller left goes with the lead, the callback task and a merged missed call', () => {
    const file = '/var/spool/asterisk/voicemail/default/101/INBOX/msg0003';
    const left = call({ voicemailMessage: file });
    const message = (f: LeadFacts): unknown[] => planLeadCapture(left, f, config).writes.map((write) => ('voicemailMessage' in write ? write.voicemailMessage : write.type));
    expect(message(facts())).toEqual([file]);
    expect(message(facts({ owner: known }))).toEqual([file]);
    expect(message(facts({ owner: known, openCallbackTasks: [openTask] }))).toEqual([file]);
    expect(planLeadCapture(call({}), facts(), config).writes).toEqual([expect.objectContaining({ type: 'createLead', voicemailMessage: null })]);
  });

  it('titles in the CRM_LANGUAGE: Russian by default, English when set', () => {
    const titles = (language: LeadPolicyConfig['language']): unknown[] =>
      [
        ...planLeadCapture(call({}), facts(), { ...config, language }).writes,
        ...planLeadCapture(call({}), facts({ owner: known }), { ...config, language }).writes,
        ...planLeadCapture(call({ disposition: 'answered', answeredAt: T0 + 3, answeredBy: '103' }), facts({ answeredByUserId: 'vera' }), { ...config, language }).writes,
      ].map((write) => (write.type === 'createLead' ? [write.title, write.taskTitle] : write.type === 'createCallbackTask' ? write.title : write.type));
    expect(titles('ru')).toEqual([['Пропущенный звонок с +79031112233', 'Перезвонить +79031112233'], 'Перезвонить +79031112233', ['Звонок с +79031112233', null]]);
    expect(titles('en')).toEqual([['Missed call from +79031112233', 'Call back +79031112233'], 'Call back +79031112233', ['Call from +79031112233', null]]);
  });

  it('a known client\'s task goes to the responsible and the open deal', () => {
    const [write] = planLeadCapture(call({}), facts({ owner: known, openDealId: 'deal-1' }), config).writes;
    expect(write).toMatchObject({ type: 'createCallbackTask', assigneeUserId: 'anna', dealId: 'deal-1', contactId: 'contact-1', companyId: null });
  });

  it('the callback speed runs from the first missed call to the conversation', () => {
    const plan = planLeadCapture(call({ direction: 'outbound', disposition: 'answered', answeredAt: T0 + 6 }), facts({ openCallbackTasks: [openTask] }), config);
    expect(plan.writes[0]).toMatchObject({ type: 'closeCallbackTasks', tasks: [{ id: 'task-1', callbackSeconds: 606 }] });
  });

  it('with deals for answered new callers switched off, an answered new caller creates nothing', () => {
    const plan = planLeadCapture(call({ disposition: 'answered', answeredAt: T0 + 3 }), facts(), { ...config, dealOnAnsweredNewCaller: false });
    expect(plan.writes).toEqual([]);
  });
});

describe('planLeadCapture and time order', () => {
  it('a conversation before the first missed call closes nothing', () => {
    const later = { id: 'task-2', firstMissedAt: new Date((T0 + 3600) * 1000), createdAt: new Date((T0 + 3600) * 1000) };
    const plan = planLeadCapture(call({ direction: 'outbound', disposition: 'answered', answeredAt: T0 + 6 }), facts({ openCallbackTasks: [later] }), config);
    expect(plan.writes).toEqual([]);
  });
});

describe('overlapping calls from one number', () => {
  it('a missed call whose caller got through on another call meanwhile needs no callback', () => {
    const plan = planLeadCapture(call({}), facts({ talkedSince: new Date((T0 + 5) * 1000) }), config);
    expect(plan).toEqual({ reason: 'missed-but-reached', writes: [] });
  });

  it('a conversation before the missed call does not count', () => {
    const plan = planLeadCapture(call({}), facts({ talkedSince: new Date((T0 - 5) * 1000) }), config);
    expect(plan.reason).toBe('missed-new-number');
  });
});
