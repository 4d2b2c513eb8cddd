/**
 * Every action name a real Asterisk 22.10.1 knows, as its `ListCommands` listed them
 * (test/fixtures/ami/live/action_responses.ami, ActionID lc-1: the bundled build with queues, parking
 * and confbridge loaded). The simulated PBX answers a name outside this list as Asterisk does
 * (`Invalid/unknown command`); a known action it does not simulate gets a plain Success.
 */
export const ASTERISK_ACTIONS: readonly string[] = [
  'AbsoluteTimeout', 'AGI', 'AOCMessage', 'Atxfer', 'BlindTransfer', 'Bridge', 'BridgeDestroy', 'BridgeInfo',
  'BridgeKick', 'BridgeList', 'BridgeTechnologyList', 'BridgeTechnologySuspend', 'BridgeTechnologyUnsuspend',
  'CancelAtxfer', 'Challenge', 'Command', 'ConfbridgeKick', 'ConfbridgeList', 'ConfbridgeListRooms',
  'ConfbridgeLock', 'ConfbridgeMute', 'ConfbridgeSetSingleVideoSrc', 'ConfbridgeStartRecord', 'ConfbridgeStopRecord',
  'ConfbridgeUnlock', 'ConfbridgeUnmute', 'ControlPlayback', 'CoreSettings', 'CoreShowChannelMap',
  'CoreShowChannels', 'CoreStatus', 'CreateConfig', 'DBDel', 'DBDelTree', 'DBGet', 'DBGetTree', 'DBPut',
  'DeviceStateList', 'DialplanExtensionAdd', 'DialplanExtensionRemove', 'Events', 'ExtensionState',
  'ExtensionStateList', 'FAXSession', 'FAXSessions', 'FAXStats', 'Filter', 'GetConfig', 'GetConfigJSON', 'Getvar',
  'Hangup', 'ListCategories', 'ListCommands', 'LocalOptimizeAway', 'LoggerRotate', 'Login', 'Logoff', 'MailboxCount',
  'MailboxStatus', 'MessageSend', 'MixMonitor', 'MixMonitorMute', 'ModuleCheck', 'ModuleLoad', 'MuteAudio',
  'Originate', 'Park', 'ParkedCalls', 'Parkinglots', 'Ping', 'PJSIPHangup', 'PJSIPQualify', 'PJSIPRegister',
  'PJSIPSetMaintenance', 'PJSIPShowAors', 'PJSIPShowAuths', 'PJSIPShowContacts', 'PJSIPShowEndpoint',
  'PJSIPShowEndpoints', 'PJSIPShowMaintenance', 'PJSIPShowRegistrationInboundContactStatuses',
  'PJSIPShowRegistrationsInbound', 'PJSIPShowRegistrationsOutbound', 'PJSIPShowResourceLists',
  'PJSIPShowSubscriptionsInbound', 'PJSIPShowSubscriptionsOutbound', 'PJSIPUnregister', 'PlayDTMF', 'PlayMF',
  'PresenceState', 'PresenceStateList', 'QueueAdd', 'QueueChangePriorityCaller', 'QueueLog', 'QueueMemberRingInUse',
  'QueuePause', 'QueuePenalty', 'QueueReload', 'QueueRemove', 'QueueReset', 'QueueRule', 'QueueStatus',
  'QueueSummary', 'QueueWithdrawCaller', 'Redirect', 'Reload', 'SendFlash', 'SendText', 'Setvar', 'ShowDialPlan',
  'SorceryMemoryCacheExpire', 'SorceryMemoryCacheExpireObject', 'SorceryMemoryCachePopulate',
  'SorceryMemoryCacheStale', 'SorceryMemoryCacheStaleObject', 'Status', 'StopMixMonitor', 'UpdateConfig',
  'UserEvent', 'VoicemailBoxSummary', 'VoicemailForward', 'VoicemailMove', 'VoicemailRefresh', 'VoicemailRemove',
  'VoicemailUsersList', 'VoicemailUserStatus', 'WaitEvent'
];

const LOWER = new Set(ASTERISK_ACTIONS.map((name) => name.toLowerCase()));

/** Action names are case-insensitive in Asterisk. */
export function isAsteriskAction(name: string): boolean {
  return LOWER.has(name.toLowerCase());
}
