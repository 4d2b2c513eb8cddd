import { Init1795442232470 } from './1795442232470-Init';
import { LeadCapture1795446000000 } from './1795446000000-LeadCapture';
import { RouteDecisions1795447500000 } from './1795447500000-RouteDecisions';
import { StatsIndexes1795450000000 } from './1795450000000-StatsIndexes';
import { StatsCallPeople1795460000000 } from './1795460000000-StatsCallPeople';
import { SocketIoAttachments1795470000000 } from './1795470000000-SocketIoAttachments';
import { ClientImportJobs1795480000000 } from './1795480000000-ClientImportJobs';
import { CallsDeadLetter1795490000000 } from './1795490000000-CallsDeadLetter';
import { CallLegsMissed1795500000000 } from './1795500000000-CallLegsMissed';
import { ExtensionOwners1795510000000 } from './1795510000000-ExtensionOwners';
import { CallsPlacedByUser1795515000000 } from './1795515000000-CallsPlacedByUser';
import { CallQueues1795520000000 } from './1795520000000-CallQueues';
import { CallsWrittenIndex1795530000000 } from './1795530000000-CallsWrittenIndex';
import { VoicemailMessages1795540000000 } from './1795540000000-VoicemailMessages';

/** Every migration, in order. Add new ones here (generate with the TypeORM CLI, review by hand). */
export const MIGRATIONS = [Init1795442232470, LeadCapture1795446000000, RouteDecisions1795447500000, StatsIndexes1795450000000, StatsCallPeople1795460000000, SocketIoAttachments1795470000000, ClientImportJobs1795480000000, CallsDeadLetter1795490000000, CallLegsMissed1795500000000, ExtensionOwners1795510000000, CallsPlacedByUser1795515000000, CallQueues1795520000000, CallsWrittenIndex1795530000000, VoicemailMessages1795540000000];
