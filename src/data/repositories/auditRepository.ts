/**
 * The old name of auditRecords.ts, where the audit log now lives: kept while
 * code still imports `recordAudit` by it (staffRepository.ts).
 */
export { recordAudit, type AuditEntry } from './auditRecords.js';
