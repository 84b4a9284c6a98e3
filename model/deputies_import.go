package model

// UpsertResult counts what UpsertDeputies did.
type UpsertResult struct {
	Created, Updated, Unchanged int
}
