package storage

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"deputybot/model"
)

// The statements of a suggestion a deputy writes (代表建议): the draft,
// its co-signers (附议) and attachments, and staff's review (accept and
// assign, return, merge). The handling that follows acceptance is the
// one of suggestions.go.

// CreateSuggestionDraft stores sg as its lead deputy's draft (status
// draft, source deputy) with the co-signers (pending) and files, and sets
// its ID, Number (JY2026-00012, from the id), Status, Source and
// timestamps.
func (db *DB) CreateSuggestionDraft(ctx context.Context, sg *model.Suggestion, cosigners, files []int64) error {
	now := db.now().UTC()
	var buf [8]byte
	_, _ = rand.Read(buf[:])
	// The number is written from the id once it is known; until then a
	// unique placeholder holds the column's uniqueness.
	placeholder := "#" + hex.EncodeToString(buf[:])
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO suggestions (number, title, summary, session, lead_deputy_id,
			host_unit, co_units, status, reply_category, reply_text, rehandle_reason, source, category, review_note,
			created_at, updated_at) VALUES (?, ?, ?, '', ?, '', '', ?, '', '', '', ?, ?, '', ?, ?)`,
			placeholder, sg.Title, sg.Summary, sg.LeadDeputyID, model.SuggestionDraft, model.SourceDeputy, sg.Category, now, now)
		if err != nil {
			return err
		}
		if sg.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		sg.Number = fmt.Sprintf("JY%d-%05d", now.Year(), sg.ID)
		if _, err := tx.ExecContext(ctx, `UPDATE suggestions SET number = ? WHERE id = ?`, sg.Number, sg.ID); err != nil {
			return err
		}
		if err := addSuggestionDeputies(ctx, tx, sg.ID, sg.LeadDeputyID, nil); err != nil {
			return err
		}
		change := countsChange{}
		if err := db.countShares(ctx, tx, change, 1, sg.ID); err != nil {
			return err
		}
		if err := db.applyCounts(ctx, tx, change); err != nil {
			return err
		}
		return setDraftParts(ctx, tx, sg.ID, cosigners, files)
	})
	if err != nil {
		return fmt.Errorf("storage: create suggestion draft: %w", err)
	}
	sg.Status, sg.Source, sg.CreatedAt, sg.UpdatedAt = model.SuggestionDraft, model.SourceDeputy, now, now
	return nil
}

// UpdateSuggestionDraft writes sg's title, content (Summary) and category,
// and its co-signers and files, on a suggestion its deputy may still edit
// (a draft, or returned): else ErrConflict. A co-signer kept keeps their
// answer; one added is pending.
func (db *DB) UpdateSuggestionDraft(ctx context.Context, sg *model.Suggestion, cosigners, files []int64) error {
	now := db.now().UTC()
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE suggestions SET title = ?, summary = ?, category = ?, updated_at = ?
			WHERE id = ? AND status IN (?, ?)`, sg.Title, sg.Summary, sg.Category, now, sg.ID,
			model.SuggestionDraft, model.SuggestionReturned)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = model.ErrConflict
			}
			return err
		}
		return setDraftParts(ctx, tx, sg.ID, cosigners, files)
	})
	if err != nil {
		return fmt.Errorf("storage: update suggestion draft %d: %w", sg.ID, err)
	}
	sg.UpdatedAt = now
	return nil
}

// setDraftParts makes the co-signers and files of suggestion id exactly
// those given, in order.
func setDraftParts(ctx context.Context, tx *sqlx.Tx, id int64, cosigners, files []int64) error {
	if len(cosigners) == 0 {
		if _, err := tx.ExecContext(ctx, `DELETE FROM suggestion_cosigners WHERE suggestion_id = ?`, id); err != nil {
			return err
		}
	} else {
		q, args, err := sqlx.In(`DELETE FROM suggestion_cosigners WHERE suggestion_id = ? AND deputy_id NOT IN (?)`, id, cosigners)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return err
		}
		for _, d := range cosigners {
			var one int
			err := tx.GetContext(ctx, &one, `SELECT 1 FROM suggestion_cosigners WHERE suggestion_id = ? AND deputy_id = ?`, id, d)
			if err == nil {
				continue
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO suggestion_cosigners (suggestion_id, deputy_id, state) VALUES (?, ?, ?)`,
				id, d, model.CosignPending); err != nil {
				return err
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM suggestion_files WHERE suggestion_id = ?`, id); err != nil {
		return err
	}
	for i, f := range files {
		if _, err := tx.ExecContext(ctx, `INSERT INTO suggestion_files (suggestion_id, file_id, position) VALUES (?, ?, ?)`,
			id, f, i); err != nil {
			return err
		}
	}
	return nil
}

// AttachSuggestionFile adds a file to an editable suggestion, after those
// it has; ErrConflict when the suggestion can no longer be edited.
func (db *DB) AttachSuggestionFile(ctx context.Context, id, fileID int64) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var status string
		if err := tx.GetContext(ctx, &status, `SELECT status FROM suggestions WHERE id = ?`, id); errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		} else if err != nil {
			return err
		}
		if !model.Editable(status) {
			return model.ErrConflict
		}
		_, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO suggestion_files (suggestion_id, file_id, position)
			SELECT ?, ?, COALESCE(MAX(position), -1) + 1 FROM suggestion_files WHERE suggestion_id = ?`, id, fileID, id)
		return err
	})
	if err != nil {
		return fmt.Errorf("storage: attach file %d to suggestion %d: %w", fileID, id, err)
	}
	return nil
}

// SuggestionCosigners lists the co-signers asked on a suggestion, in the
// order they were named.
func (db *DB) SuggestionCosigners(ctx context.Context, id int64) ([]model.Cosigner, error) {
	var rows []struct {
		DeputyID   int64        `db:"deputy_id"`
		Name       string       `db:"name"`
		State      string       `db:"state"`
		AnsweredAt sql.NullTime `db:"answered_at"`
	}
	if err := db.rq(ctx).SelectContext(ctx, &rows, `SELECT c.deputy_id, d.name, c.state, c.answered_at
		FROM suggestion_cosigners c JOIN deputies d ON d.id = c.deputy_id WHERE c.suggestion_id = ?
		ORDER BY d.name, d.id`, id); err != nil {
		return nil, fmt.Errorf("storage: cosigners of suggestion %d: %w", id, err)
	}
	out := make([]model.Cosigner, len(rows))
	for i, r := range rows {
		out[i] = model.Cosigner{DeputyID: r.DeputyID, Name: r.Name, State: r.State, AnsweredAt: timePtr(r.AnsweredAt)}
	}
	return out, nil
}

// SuggestionFiles lists the files attached to a suggestion, in order.
func (db *DB) SuggestionFiles(ctx context.Context, id int64) ([]model.File, error) {
	var out []model.File
	if err := db.rq(ctx).SelectContext(ctx, &out, `SELECT f.id, f.name, f.size, f.sha256, f.content_type, f.created_by,
		f.created_at FROM suggestion_files sf JOIN files f ON f.id = sf.file_id WHERE sf.suggestion_id = ?
		ORDER BY sf.position, f.id`, id); err != nil {
		return nil, fmt.Errorf("storage: files of suggestion %d: %w", id, err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}

// FileOfSuggestion reports whether the file is attached to a suggestion
// the deputy leads or co-signs.
func (db *DB) FileOfSuggestion(ctx context.Context, fileID, deputyID int64) (bool, error) {
	var n int
	err := db.rq(ctx).GetContext(ctx, &n, `SELECT COUNT(*) FROM suggestion_files sf JOIN suggestions s ON s.id = sf.suggestion_id
		WHERE sf.file_id = ? AND (s.lead_deputy_id = ? OR EXISTS (SELECT 1 FROM suggestion_cosigners c
		WHERE c.suggestion_id = s.id AND c.deputy_id = ?))`, fileID, deputyID, deputyID)
	if err != nil {
		return false, fmt.Errorf("storage: file %d of a suggestion of deputy %d: %w", fileID, deputyID, err)
	}
	return n > 0, nil
}

// SuggestionsByAuthor lists the suggestions deputyID writes that are not
// handled yet (draft, submitted, returned), the latest changed first.
func (db *DB) SuggestionsByAuthor(ctx context.Context, deputyID int64) ([]model.Suggestion, error) {
	var rows []suggestionRow
	if err := db.rq(ctx).SelectContext(ctx, &rows, suggestionSelect+` WHERE s.lead_deputy_id = ? AND s.status IN (?, ?, ?)
		ORDER BY s.updated_at DESC, s.id DESC`, deputyID, model.SuggestionDraft, model.SuggestionSubmitted,
		model.SuggestionReturned); err != nil {
		return nil, fmt.Errorf("storage: suggestions by deputy %d: %w", deputyID, err)
	}
	out := make([]model.Suggestion, len(rows))
	for i, r := range rows {
		out[i] = r.suggestion()
	}
	return out, nil
}

// ReviewChange is what one review step does to a suggestion: the status
// it must be in (From) and takes (To), the fields it sets, its history
// step and the notices it sends, all in one transaction.
type ReviewChange struct {
	ID        int64
	From      []string
	To        string
	Note      string // review_note: the reason of a return; cleared otherwise
	Merged    int64  // merged_into, for a merge
	Submitted bool   // sets submitted_at
	HostUnit  string // for an acceptance
	CoUnits   string
	// Seconders join the suggestion as 附议 (an acceptance's confirmed
	// co-signers; the author and co-signers of one merged into it).
	Seconders    []int64
	SecondersTo  int64 // the suggestion they join; ID when 0
	Step         model.SuggestionStep
	Pushes       []model.Push
	InviteCosign bool // co-signers not confirmed become invited
}

// ReviewSuggestion applies c: ErrNotFound when the suggestion is missing,
// ErrConflict when its status is no longer one of c.From. It returns the
// co-signers newly invited when c.InviteCosign is set.
func (db *DB) ReviewSuggestion(ctx context.Context, c ReviewChange) (invited []int64, err error) {
	now := db.now().UTC()
	err = db.inTx(ctx, func(tx *sqlx.Tx) error {
		q := `SELECT status FROM suggestions WHERE id = ?`
		if db.dialect == MySQL {
			q += ` FOR UPDATE`
		}
		var cur string
		if err := tx.GetContext(ctx, &cur, q, c.ID); errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		} else if err != nil {
			return err
		}
		ok := false
		for _, f := range c.From {
			ok = ok || f == cur
		}
		if !ok {
			return model.ErrConflict
		}
		change := countsChange{}
		if err := db.countShares(ctx, tx, change, -1, c.ID); err != nil {
			return err
		}
		set := []string{"status = ?", "review_note = ?", "updated_at = ?"}
		args := []any{c.To, c.Note, now}
		if c.Merged != 0 {
			set, args = append(set, "merged_into = ?"), append(args, c.Merged)
		}
		if c.Submitted {
			set, args = append(set, "submitted_at = ?"), append(args, now)
		}
		if c.HostUnit != "" {
			set, args = append(set, "host_unit = ?", "co_units = ?"), append(args, c.HostUnit, c.CoUnits)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suggestions SET `+strings.Join(set, ", ")+` WHERE id = ?`,
			append(args, c.ID)...); err != nil {
			return err
		}
		if err := db.countShares(ctx, tx, change, 1, c.ID); err != nil {
			return err
		}
		if err := db.applyCounts(ctx, tx, change); err != nil {
			return err
		}
		if c.InviteCosign {
			if err := tx.SelectContext(ctx, &invited, `SELECT deputy_id FROM suggestion_cosigners
				WHERE suggestion_id = ? AND state <> ? ORDER BY deputy_id`, c.ID, model.CosignConfirmed); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE suggestion_cosigners SET state = ?, answered_at = NULL
				WHERE suggestion_id = ? AND state <> ?`, model.CosignInvited, c.ID, model.CosignConfirmed); err != nil {
				return err
			}
		}
		to := c.SecondersTo
		if to == 0 {
			to = c.ID
		}
		for _, d := range c.Seconders {
			if _, err := tx.ExecContext(ctx, db.insertIgnore()+` INTO suggestion_deputies (suggestion_id, deputy_id, role)
				VALUES (?, ?, ?)`, to, d, model.RoleSecond); err != nil {
				return err
			}
		}
		st := c.Step
		st.SuggestionID, st.At = c.ID, now
		if err := insertStep(ctx, tx, &st); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("st%d", st.ID), c.Pushes)
	})
	if err != nil {
		return nil, fmt.Errorf("storage: review suggestion %d (%s): %w", c.ID, c.To, err)
	}
	return invited, nil
}

// AnswerCosign records a co-signer's answer (confirmed or declined) to an
// invitation still open, with the notices it sends: ErrNotFound when the
// deputy was not asked, ErrConflict when they were asked and answered
// already or the suggestion is no longer under review.
func (db *DB) AnswerCosign(ctx context.Context, id, deputyID int64, state string, at time.Time, pushes ...model.Push) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var cur string
		err := tx.GetContext(ctx, &cur, `SELECT c.state FROM suggestion_cosigners c WHERE c.suggestion_id = ? AND c.deputy_id = ?`,
			id, deputyID)
		if errors.Is(err, sql.ErrNoRows) {
			return model.ErrNotFound
		}
		if err != nil {
			return err
		}
		if cur != model.CosignInvited {
			return model.ErrConflict
		}
		if _, err := tx.ExecContext(ctx, `UPDATE suggestion_cosigners SET state = ?, answered_at = ?
			WHERE suggestion_id = ? AND deputy_id = ?`, state, at.UTC(), id, deputyID); err != nil {
			return err
		}
		return db.enqueueAll(ctx, tx, fmt.Sprintf("cs%d.%d.%d", id, deputyID, at.UnixNano()), pushes)
	})
	if err != nil {
		return fmt.Errorf("storage: cosign suggestion %d by deputy %d: %w", id, deputyID, err)
	}
	return nil
}
