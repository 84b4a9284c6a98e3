package bot

import (
	"context"
	"time"

	"deputybot/model"
)

// The chat's own records — which messages were answered, where each
// follower's conversation stands, who follows the account — are shared by
// every instance, so they live in the database. bot declares what it needs
// of them as the small interfaces below; *storage.DB implements them and
// cli wires it in. What a deputy does in a conversation (answer an
// invitation, rate a suggestion …) goes through core instead.

// Inbox keeps the dedupe record of each inbound message, so that WeChat's
// re-deliveries of a message, to any instance, are answered once.
type Inbox interface {
	// WriteInboundBatch makes the dedupe-record writes of concurrent
	// messages with one commit, in that order but the replies first: a
	// claim records that a message is being handled (ClaimHandling, at the
	// time At, which identifies the claim) or that it was answered already
	// (ClaimAnswered, with its reply); StoreReply stores the reply of a
	// message claimed for handling. One result per write: for a claim,
	// Claimed is false for a re-delivery, with what the first delivery
	// stored.
	WriteInboundBatch(ctx context.Context, writes []model.InboundWrite) ([]model.ClaimResult, error)
	// ReleaseInboundClaim forgets the claim made at at, while it is still
	// processing, so that the next delivery is handled afresh.
	ReleaseInboundClaim(ctx context.Context, key string, at time.Time) error
	// GetInbound returns the record of the message with key.
	GetInbound(ctx context.Context, key string) (model.Inbound, error)
}

// Nonces remember, for as long as a callback's timestamp is accepted,
// which body came with each signed (timestamp, nonce) of a plaintext
// callback, on every instance: WeChat's re-delivery of a message repeats
// its body, a forgery riding a captured signature does not.
type Nonces interface {
	// SeeCallbackNonces records each callback's pair with the digest of its
	// body, and returns one answer per item: true when the pair is new or
	// came with the same digest before, false when it came with another.
	SeeCallbackNonces(ctx context.Context, seen []model.CallbackNonce) ([]bool, error)
}

// Conversations keeps each follower's conversation (a flow under way),
// and the one a menu click set aside. Saves are versioned: of two
// messages racing on one conversation, the second finds model.ErrStale.
type Conversations interface {
	GetConversation(ctx context.Context, openid string) (model.Conversation, error)
	SaveConversation(ctx context.Context, c *model.Conversation) error
	DeleteConversation(ctx context.Context, openid string) error
	// DeleteConversationVersion ends the conversation if it is still at
	// version; false when another message changed it first.
	DeleteConversationVersion(ctx context.Context, openid string, version int64) (bool, error)
	// ParkConversation sets the active conversation aside; TakeParked
	// gives it back (model.ErrNotFound when there is none).
	ParkConversation(ctx context.Context, c model.Conversation) error
	TakeParked(ctx context.Context, openid string) (model.Conversation, error)
}

// Asks are the questions a push left open for a deputy (an invitation to
// answer, a suggestion to rate): a message that is no command answers the
// oldest, and the flow that answers one closes it.
type Asks interface {
	OpenAsks(ctx context.Context, deputyID int64) ([]model.PendingAsk, error)
	CloseAsk(ctx context.Context, deputyID int64, flow string, refID int64) error
}

// Followers are the account's WeChat users as the chat sees them: whether
// they follow, when they last wrote (the 48-hour window for customer
// messages), the deputy bound to them, and what decides the quick path.
type Followers interface {
	RecordFollow(ctx context.Context, openid string, following bool) error
	TouchFollower(ctx context.Context, openid string) error
	// GetDeputyByOpenID returns the deputy bound to openid, or
	// model.ErrNotFound.
	GetDeputyByOpenID(ctx context.Context, openid string) (model.Deputy, error)
	// GetChatState reads, in one query, whether a conversation is under
	// way and the bound deputy's name; GetChatStates does so for several
	// followers at once, one result per openid.
	GetChatState(ctx context.Context, openid string) (model.ChatState, error)
	GetChatStates(ctx context.Context, openids []string) ([]model.ChatState, error)
}

// Reports apply WeChat's TEMPLATESENDJOBFINISH events to the deliveries
// they report on (kept for the outbox when a report overtakes the
// recording of its send).
type Reports interface {
	AbsorbTemplateReport(ctx context.Context, msgid int64, openid, status string) error
	AbsorbTemplateReports(ctx context.Context, reports []model.TemplateStatus) error
}

// EngineStore is what the conversation engine keeps: the conversations,
// and the asks its flows answer.
type EngineStore interface {
	Conversations
	Asks
}

// Store is everything the router keeps besides the use cases.
type Store interface {
	Conversations
	Asks
	Followers
	Reports
}

// Clock tells the time. In a server it is the one clock of the use cases
// (*core.Services), so that moving it in a test moves every part at once.
type Clock interface {
	Now() time.Time
}

// clockNow reads c, or the system clock when a part was given none.
func clockNow(c Clock) time.Time {
	if c != nil {
		return c.Now()
	}
	return time.Now()
}
