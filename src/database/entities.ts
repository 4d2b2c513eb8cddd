import { Department } from '../auth/users/department.entity';
import { User } from '../auth/users/user.entity';
import { Company } from '../crm/companies/company.entity';
import { Contact } from '../crm/contacts/contact.entity';
import { Deal } from '../crm/deals/deal.entity';
import { PipelineStage } from '../crm/deals/pipeline-stage.entity';
import { PhoneNumber } from '../crm/phones/phone-number.entity';
import { Task } from '../crm/tasks/task.entity';
import { ImportJob } from '../crm/import/import-job.entity';
import { LeadCaptureLog } from '../crm/lead-capture/lead-capture-log.entity';
import { CallDeadLetter } from '../telephony/calls/call-dead-letter.entity';
import { CallLeg } from '../telephony/calls/call-leg.entity';
import { CallRawEvents } from '../telephony/calls/call-raw-events.entity';
import { Call } from '../telephony/calls/call.entity';
import { RouteDecision, RoutingSetting } from '../telephony/routing/route-decision.entity';

export const ENTITIES = [Department, User, Company, Contact, PhoneNumber, PipelineStage, Deal, Task, Call, CallLeg, CallRawEvents, CallDeadLetter, LeadCaptureLog, ImportJob, RouteDecision, RoutingSetting];
