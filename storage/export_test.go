package storage

// SetClaimLock replaces the locking clause of ClaimDue's SELECT, so a test
// can claim as on a server that ignores SKIP LOCKED.
func SetClaimLock(db *DB, clause string) { db.claimLock = clause }

// SetClaimPaused makes every claim run pause between its SELECT and its
// UPDATE (nil: none).
func SetClaimPaused(db *DB, pause func()) { db.claimPaused = pause }
