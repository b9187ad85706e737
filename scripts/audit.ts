// `npm run audit:prod`: see src/security/audit.ts.
import { runProductionAudit } from '../src/security/audit.ts';

process.exit(runProductionAudit());
