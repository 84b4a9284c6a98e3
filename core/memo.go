package core

import (
	"context"

	"deputybot/storage"
)

// ForOneMessage returns ctx for the handling of one chat message: the rows
// it reads more than once on its way (the deputy behind the openid, the
// suggestion being rated) are read once, until the message writes
// (storage's read memo).
func ForOneMessage(ctx context.Context) context.Context { return storage.WithReadMemo(ctx) }
