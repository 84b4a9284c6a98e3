package model

import (
	"database/sql"
	"time"
)

// Inbound states.
const (
	InboundProcessing = "processing"
	InboundDone       = "done"
)

// Inbound is the stored trace of one WeChat message or event.
type Inbound struct {
	Key   string `db:"dedupe_key"`
	State string `db:"state"`
	Reply string `db:"reply"`
}

// Follower is what deputybot knows of an openid's relation to the account.
type Follower struct {
	OpenID        string       `db:"openid"`
	Following     bool         `db:"following"`
	SubscribedAt  sql.NullTime `db:"subscribed_at"`
	LastInboundAt sql.NullTime `db:"last_inbound_at"`
}

// AnsweredClaim is one message to record as handled, with its reply (see
// ClaimInboundAnswered).
type AnsweredClaim struct {
	Key, OpenID, Kind, Reply string
	At                       time.Time
}

// ClaimResult is what ClaimInboundAnswered returns for one claim.
type ClaimResult struct {
	Claimed bool
	Prior   Inbound // what the first delivery stored, when !Claimed
}

// CallbackNonce is the (timestamp, nonce) a plaintext callback was signed
// with and the SHA-256 of its body, hex (see bot.Nonces).
type CallbackNonce struct {
	Timestamp int64
	Nonce     string
	Digest    string
	At        time.Time // when it was seen, for pruning
}

// InboundOp is what an InboundWrite does to a message's dedupe record.
type InboundOp int

// The writes.
const (
	// ClaimHandling records that the message is being handled (ClaimInbound).
	ClaimHandling InboundOp = iota
	// ClaimAnswered records it handled already, with its reply
	// (ClaimInboundAnswered).
	ClaimAnswered
	// StoreReply stores the reply of a message claimed by ClaimHandling
	// (FinishInbound).
	StoreReply
)

// InboundWrite is one write to the dedupe records, made with those of
// other messages in one commit (see storage's WriteInboundBatch). At
// identifies a claim; Reply is the answer of ClaimAnswered and StoreReply.
type InboundWrite struct {
	Op                       InboundOp
	Key, OpenID, Kind, Reply string
	At                       time.Time
}
