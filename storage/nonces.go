package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// maxNonceLen is the longest nonce stored as it is; a longer one (WeChat's
// are ten digits) is stored as its SHA-256.
const maxNonceLen = 64

func nonceKey(n string) string {
	if len(n) <= maxNonceLen {
		return n
	}
	sum := sha256.Sum256([]byte(n))
	return hex.EncodeToString(sum[:])
}

// SeeCallbackNonces records the (timestamp, nonce) of plaintext callbacks
// with their bodies' digests, in one statement, and returns one answer per
// item: true when the pair is new, or was stored with the same digest (a
// re-delivery); false when it came before with another body. Of two items
// with one pair and different digests in a batch, the first wins.
func (db *DB) SeeCallbackNonces(ctx context.Context, seen []model.CallbackNonce) ([]bool, error) {
	type pair struct {
		nonce string
		ts    int64
	}
	first := make(map[pair]int, len(seen))
	var q strings.Builder
	q.WriteString(db.insertIgnore() + ` INTO callback_nonces (nonce, ts, digest, seen_at) VALUES `)
	args := make([]any, 0, 4*len(seen))
	for i, n := range seen {
		p := pair{nonceKey(n.Nonce), n.Timestamp}
		if _, twice := first[p]; twice {
			continue
		}
		if len(first) > 0 {
			q.WriteString(", ")
		}
		first[p] = i
		q.WriteString("(?, ?, ?, ?)")
		args = append(args, p.nonce, p.ts, n.Digest, n.At.UTC())
	}
	res, err := db.wq(ctx).ExecContext(ctx, q.String(), args...)
	if err != nil {
		return nil, fmt.Errorf("storage: record callback nonces: %w", err)
	}
	stored := make(map[pair]string, len(first))
	if n, _ := res.RowsAffected(); n == int64(len(first)) {
		// Every pair is new: each stored its own first item's digest.
		for p, i := range first {
			stored[p] = seen[i].Digest
		}
	} else {
		nonces := make([]string, 0, len(first))
		for p := range first {
			nonces = append(nonces, p.nonce)
		}
		query, qargs, err := sqlx.In(`SELECT nonce, ts, digest FROM callback_nonces WHERE nonce IN (?)`, nonces)
		if err != nil {
			return nil, fmt.Errorf("storage: read callback nonces: %w", err)
		}
		var rows []struct {
			Nonce  string `db:"nonce"`
			TS     int64  `db:"ts"`
			Digest string `db:"digest"`
		}
		if err := db.wq(ctx).SelectContext(ctx, &rows, db.w.Rebind(query), qargs...); err != nil {
			return nil, fmt.Errorf("storage: read callback nonces: %w", err)
		}
		for _, r := range rows {
			stored[pair{r.Nonce, r.TS}] = r.Digest
		}
	}
	out := make([]bool, len(seen))
	for i, n := range seen {
		d, ok := stored[pair{nonceKey(n.Nonce), n.Timestamp}]
		if !ok {
			return nil, fmt.Errorf("storage: record callback nonces: a pair was neither stored nor found")
		}
		out[i] = d == n.Digest
	}
	return out, nil
}

// PruneCallbackNonces deletes the nonces of callbacks seen before before
// (a signature is accepted for 5 minutes either side of its timestamp).
func (db *DB) PruneCallbackNonces(ctx context.Context, before time.Time) (int64, error) {
	return db.pruneBefore(ctx, "callback_nonces", "seen_at", before)
}
