/**
 * The PBX a customer already runs, beside switchboard's include: the shapes DESIGN lists ("The PBXs
 * customers already run") written the way an admin of a plain Asterisk or FreePBX writes them.
 * Each shape has its own DID on the trunk, which goes to the customer's context instead of
 * switchboard-inbound: these calls never pass our dialplan.
 */
import type { CustomerPbx } from './live-pbx';

/** The customer's DIDs, one per shape. */
export const SHAPE_DIDS = {
  queueRingall: '74951113301',
  queueRrmemory: '74951113302',
  queueLinear: '74951113303',
  queueSupport: '74951113304',
  queueClosed: '74951113305',
  queueFreepbx: '74951113306',
  ringGroup: '74951113311',
  huntGroup: '74951113312',
  ivr: '74951113321',
  ivrQueue: '74951113322',
  followMe: '74951113331',
  voicemail: '74951113341',
  parking: '74951113351',
} as const;

/** 101's mobile, reached through the trunk by follow-me. */
export const MOBILE_101 = '79161112233';
/** How long a queue rings one member (rrmemory, linear) before the next one. */
export const QUEUE_MEMBER_TIMEOUT = 3;
/** How long the hunt group and follow-me ring a desk phone before moving on. */
export const HUNT_TIMEOUT = 3;
/** How long a call waits in the `quick` parking lot before it rings its parker again. */
export const PARK_TIMEOUT = 3;
/** How long a caller waits in the empty queue before its mailbox. */
export const CLOSED_QUEUE_WAIT = 3;
/** The IVR waits this long for a digit before its `t` (timeout) extension. */
export const IVR_WAIT = 3;

/** A queue of 101, 102 and 103 as an admin writes it in queues.conf. */
function queue(name: string, comment: string, strategy: string, timeout: number): string {
  return `; ${comment}
[${name}]
strategy = ${strategy}
timeout = ${timeout}
retry = 1
wrapuptime = 0
ringinuse = no
member => PJSIP/101
member => PJSIP/102
member => PJSIP/103
`;
}

const QUEUES = `[general]
persistentmembers = no
shared_lastcall = no

${queue('sales-ringall', 'the whole sales team at once; the caller hears ringing (Queue option r), waits up to 30 s', 'ringall', 15)}
${queue('sales-rrmemory', 'one member at a time, starting after whoever answered last', 'rrmemory', QUEUE_MEMBER_TIMEOUT)}
${queue('sales-linear', 'one member at a time, always in the listed order', 'linear', QUEUE_MEMBER_TIMEOUT)}
; one member: a second caller waits until 103 is free again (ringinuse = no)
[support]
strategy = ringall
timeout = 15
retry = 1
wrapuptime = 0
ringinuse = no
member => PJSIP/103

; FreePBX's shape: members are Local channels through from-queue (its queues.conf as generated)
[sales-freepbx]
strategy = ringall
timeout = 15
retry = 1
ringinuse = no
member => Local/101@from-queue/n,0,Anna,PJSIP/101
member => Local/102@from-queue/n,0,Boris,PJSIP/102

; nobody logged in (after hours): callers may join, wait for the Queue() timeout, then the mailbox
[sales-closed]
strategy = ringall
timeout = 15
retry = 1
joinempty = yes
leavewhenempty = no
`;

const PARKING = `[general]

[default]
parkext => 700
parkpos => 701-720
context => parkedcalls
parkingtime => 60
comebacktoorigin = yes

; a lot whose calls nobody takes come back to the parker after ${PARK_TIMEOUT} s
[quick]
parkext => 730
parkpos => 731-739
context => parkedcalls-quick
parkingtime => ${PARK_TIMEOUT}
comebacktoorigin = yes
comebackdialtime = 10
`;

const DIALPLAN = `[customer-in]
; Queue(): ringall, rrmemory, linear (queues.conf); r = the caller hears ringing, not music
exten => ${SHAPE_DIDS.queueRingall},1,Queue(sales-ringall,r,,,30)
 same => n,Hangup()
exten => ${SHAPE_DIDS.queueRrmemory},1,Queue(sales-rrmemory,r,,,30)
 same => n,Hangup()
exten => ${SHAPE_DIDS.queueLinear},1,Queue(sales-linear,r,,,30)
 same => n,Hangup()
exten => ${SHAPE_DIDS.queueSupport},1,Queue(support,r,,,30)
 same => n,Hangup()
exten => ${SHAPE_DIDS.queueFreepbx},1,Queue(sales-freepbx,r,,,30)
 same => n,Hangup()
; an empty queue: the caller waits ${CLOSED_QUEUE_WAIT} s, then leaves a message in the sales mailbox
exten => ${SHAPE_DIDS.queueClosed},1,Queue(sales-closed,r,,,${CLOSED_QUEUE_WAIT})
 same => n,VoiceMail(100@default,u)
 same => n,Hangup()
; a FreePBX ring group (ringall): Local channels to each extension, /n keeps them apart
exten => ${SHAPE_DIDS.ringGroup},1,Dial(Local/101@ringgroup/n&Local/102@ringgroup/n,15)
 same => n,Hangup()
; a FreePBX hunt group: one extension after another
exten => ${SHAPE_DIDS.huntGroup},1,Dial(Local/101@ringgroup/n,${HUNT_TIMEOUT})
 same => n,Dial(Local/102@ringgroup/n,${HUNT_TIMEOUT})
 same => n,Dial(Local/103@ringgroup/n,${HUNT_TIMEOUT})
 same => n,Hangup()
; follow-me (FreePBX findmefollow's shape): the desk phone first, then the mobile through the trunk
exten => ${SHAPE_DIDS.followMe},1,Dial(Local/101@followme/n,30)
 same => n,Hangup()
; the extension rings, then its mailbox takes the call
exten => ${SHAPE_DIDS.voicemail},1,Dial(PJSIP/101,${HUNT_TIMEOUT})
 same => n,VoiceMail(101@default,u)
 same => n,Hangup()
; a direct line to 101 (who parks the caller)
exten => ${SHAPE_DIDS.parking},1,Dial(PJSIP/101,20)
 same => n,Hangup()

[ringgroup]
exten => _XXX,1,Dial(PJSIP/\${EXTEN},30)
 same => n,Hangup()

; FreePBX's from-queue: a queue member's Local channel rings the desk phone
[from-queue]
exten => _XXX,1,Dial(PJSIP/\${EXTEN},30)
 same => n,Hangup()

[followme]
exten => _XXX,1,Dial(PJSIP/\${EXTEN},${HUNT_TIMEOUT})
 same => n,GotoIf($["\${FOLLOWME_\${EXTEN}}" = ""]?done)
 same => n,Dial(PJSIP/\${FOLLOWME_\${EXTEN}}@trunk,20)
 same => n(done),Hangup()

; an IVR answered by the PBX: 1 = sales (101 and 102), 2 = support (103, then "nobody available"),
; no digit = the operator (103), then the sales mailbox
[customer-ivr]
exten => ${SHAPE_DIDS.ivr},1,Answer()
 same => n,Set(TIMEOUT(digit)=2)
 same => n,Background(beep)
 same => n,WaitExten(${IVR_WAIT})
exten => 1,1,Dial(PJSIP/101&PJSIP/102,15)
 same => n,Playback(vm-nobodyavail)
 same => n,Hangup()
exten => 2,1,Dial(PJSIP/103,${HUNT_TIMEOUT})
 same => n,Playback(vm-nobodyavail)
 same => n,Hangup()
exten => t,1,Dial(PJSIP/103,${HUNT_TIMEOUT})
 same => n,VoiceMail(100@default,u)
 same => n,Hangup()
exten => i,1,Goto(t,1)

; an IVR whose menu, with no digit pressed, goes on into the sales queue
[customer-ivr-queue]
exten => ${SHAPE_DIDS.ivrQueue},1,Answer()
 same => n,Background(beep)
 same => n,WaitExten(${IVR_WAIT})
exten => t,1,Queue(sales-ringall,r,,,30)
 same => n,Hangup()
exten => i,1,Goto(t,1)

; call parking from the desks (res_parking.conf): transfer to 700, take the call back from its slot
[from-internal]
exten => 700,1,Park(default)
exten => 730,1,Park(quick)
exten => _7[0-2]X,1,ParkedCall(default,\${EXTEN})
`;

/** The customer's PBX of the shapes suite. */
export const CUSTOMER_PBX: CustomerPbx = {
  dialplan: DIALPLAN,
  dids: Object.fromEntries(Object.entries(SHAPE_DIDS).map(([shape, did]) => [did, shape === 'ivr' ? 'customer-ivr' : shape === 'ivrQueue' ? 'customer-ivr-queue' : 'customer-in'])),
  configs: {
    'queues.conf': QUEUES,
    'res_parking.conf': PARKING,
    'voicemail.conf': '[default](+)\n101 => 1234,Anna Petrova\n',
  },
};

/** Globals of the customer's dialplan (follow-me numbers). */
export const CUSTOMER_GLOBALS = { FOLLOWME_101: MOBILE_101 };
